// Which keys a model and an agent type need, and which of them the person lacks, from the server's catalogue
// (GET /api/models). Keys are per person: "has a key" always means the signed-in person's own.
import type { ModelCatalogue } from "../api/queries";
import { i18n } from "../i18n/index";

/** "openai/gpt-5" -> "openai"; "" when the value has no provider yet. */
export function providerOf(model: string): string {
  const slash = model.indexOf("/");
  return slash > 0 ? model.slice(0, slash) : "";
}

/** The provider's plain name ("OpenAI"), or its code name for a provider outside the catalogue. */
export function providerLabel(catalogue: ModelCatalogue, provider: string): string {
  return catalogue.providers.find((p) => p.name === provider)?.label ?? provider;
}

/** The plain name of a listed model ("Claude Opus 4.6"), or null for one typed under "Other…". */
export function modelLabel(catalogue: ModelCatalogue, model: string): string | null {
  for (const provider of catalogue.providers) {
    const found = provider.models.find((m) => m.name === model);
    if (found) return found.label;
  }
  return null;
}

/** Why none of the providers here can serve this model (every agent's model talks to one of the catalogue's
 * providers: the contract's PROVIDERS), or null when one can; "" (nothing typed yet) is the form's own check. */
export function modelProblem(catalogue: ModelCatalogue, model: string): string | null {
  const value = model.trim();
  if (!value) return null;
  const provider = providerOf(value);
  const known = catalogue.providers.map((p) => p.label).join(" / ");
  const examples = catalogue.providers.map((p) => `${p.name}/…`).join(", ");
  if (!provider || value.slice(provider.length + 1).trim() === "") return i18n.t("agents.model.notProviderModel", { examples });
  if (!catalogue.providers.some((p) => p.name === provider)) return i18n.t("agents.model.noProvider", { provider, known, examples });
  return null;
}

export interface MissingKey {
  provider: string;
  label: string;
  /** Why an agent of this type needs it whatever its model; absent when the model itself needs it. */
  reason?: string;
}

/** The keys this person lacks for an agent of `type` with `model`: the model's provider's, then the type's. */
export function missingKeys(catalogue: ModelCatalogue, model: string, type: string): MissingKey[] {
  const have = new Set(catalogue.key_providers);
  const missing: MissingKey[] = [];
  const provider = providerOf(model.trim());
  if (provider && !have.has(provider)) missing.push({ provider, label: providerLabel(catalogue, provider) });
  for (const need of catalogue.needs) {
    if (need.type === type && !have.has(need.provider) && !missing.some((m) => m.provider === need.provider)) {
      missing.push({ provider: need.provider, label: providerLabel(catalogue, need.provider), reason: need.reason });
    }
  }
  return missing;
}

/** The model a new agent from this template starts with: the server's choice for this person's keys. */
export function templateModel(catalogue: ModelCatalogue | undefined, template: { key: string; model: string }): string {
  return catalogue?.templates.find((t) => t.template === template.key)?.model ?? template.model;
}
