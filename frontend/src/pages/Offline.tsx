// Shown instead of any page while the control plane cannot be reached.
export function Offline({ onRetry }: { onRetry: () => void }) {
  return (
    <main className="flex min-h-full flex-col items-center justify-center gap-4 p-6 text-center">
      <h1 className="text-xl font-semibold">The AutoCode server is unreachable</h1>
      <p className="max-w-sm text-slate-400">
        Check your connection or whether the server is running, then try again.
      </p>
      <button
        type="button"
        onClick={onRetry}
        className="rounded-md bg-sky-500 px-4 py-2 font-medium text-slate-950 hover:bg-sky-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-300"
      >
        Try again
      </button>
    </main>
  );
}
