// A reply (or a Markdown file) rendered: react-markdown, which never renders raw HTML, with code highlighted
// by rehype-highlight for fenced blocks that name their language. Links open in a new tab.
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import "./highlight.css";

const MARKDOWN_CLASS =
  "chat-markdown min-w-0 break-words text-sm leading-relaxed [&_a]:text-sky-300 [&_a]:underline " +
  "[&_blockquote]:border-l-2 [&_blockquote]:border-slate-600 [&_blockquote]:pl-3 [&_code]:font-mono " +
  "[&_h1]:mt-3 [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:mt-3 [&_h2]:font-semibold [&_h3]:mt-2 [&_h3]:font-semibold " +
  "[&_li]:ml-5 [&_ol]:list-decimal [&_ul]:list-disc [&_p]:my-2 [&_table]:my-2 [&_td]:border [&_td]:border-slate-700 " +
  "[&_td]:px-2 [&_th]:border [&_th]:border-slate-700 [&_th]:px-2 [&_pre]:my-2 [&_pre]:overflow-x-auto " +
  "[&_pre]:rounded-md [&_pre]:bg-slate-950 [&_pre]:p-3 [&_pre]:text-xs [&_:not(pre)>code]:rounded " +
  "[&_:not(pre)>code]:bg-slate-800 [&_:not(pre)>code]:px-1";

const components: Components = {
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer" />,
};

export function Markdown({ children, className = "" }: { children: string; className?: string }) {
  return (
    <div className={`${MARKDOWN_CLASS} ${className}`}>
      <ReactMarkdown rehypePlugins={[rehypeHighlight]} components={components}>{children}</ReactMarkdown>
    </div>
  );
}
