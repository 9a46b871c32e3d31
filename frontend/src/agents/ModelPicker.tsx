// The model field: the suggested models grouped by provider, and "Other…" for any model typed as
// provider/model. Under it, a plain warning for each key the person lacks for it (keys are per person).
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useModels } from "../api/queries";
import { Field, inputClass, SelectInput, TextInput } from "../components/Form";
import { missingKeys, modelLabel, modelProblem, type MissingKey } from "./models";

// The agent's own model, named by what it does (agents.model.label); its technical name ("manager model")
// and format are in the hint.
const OTHER = "__other__";

interface Props {
  value: string;
  onChange: (model: string) => void;
  /** The agent's type: some types need a key whatever the model (a coding agent's Claude Code). */
  type: string;
  error?: string;
}

export function ModelPicker({ value, onChange, type, error }: Props) {
  const models = useModels();
  const { t } = useTranslation();
  const catalogue = models.data;
  // Without the catalogue (still loading, or unreachable) the field is free text, as it always accepts.
  // null until the person picks: then a model outside the list opens "Other…" by itself.
  const [otherChosen, setOther] = useState<boolean | null>(null);
  const typing = !catalogue || (otherChosen ?? (value !== "" && modelLabel(catalogue, value) === null));
  // Said as soon as it is typed, before saving: a model no provider here can serve would fail when it runs.
  const problem = catalogue ? modelProblem(catalogue, value) : null;

  return (
    <div className="space-y-2">
      {catalogue ? (
        <Field label={t("agents.model.label")} hint={t("agents.model.hint")} error={typing ? undefined : error}>
          {({ id, describedBy, invalid }) => (
            <select id={id} name={typing ? "model-choice" : "model"} aria-describedby={describedBy} aria-invalid={invalid}
              className={inputClass} value={typing ? OTHER : value}
              onChange={(e) => {
                if (e.target.value === OTHER) {
                  setOther(true);
                } else {
                  setOther(false);
                  onChange(e.target.value);
                }
              }}>
              {value === "" && !typing && <option value="" disabled>{t("agents.model.choose")}</option>}
              {catalogue.providers.map((provider) => (
                <optgroup key={provider.name} label={provider.label}>
                  {provider.models.map((m) => <option key={m.name} value={m.name}>{m.label} ({m.name})</option>)}
                </optgroup>
              ))}
              <option value={OTHER}>{t("agents.model.other")}</option>
            </select>
          )}
        </Field>
      ) : null}
      {typing && (
        <TextInput label={catalogue ? t("agents.model.otherLabel") : t("agents.model.label")} name="model" value={value}
          onChange={(e) => onChange(e.target.value)} error={error} hint={catalogue ? t("agents.model.otherHint") : `${t("agents.model.hint")} ${t("agents.model.otherHint")}`}
          autoCapitalize="none" spellCheck={false} placeholder={t("agents.model.placeholder")} />
      )}
      {problem !== null && (
        <p role="status" className="rounded-md border border-amber-700/60 bg-amber-950/40 p-2 text-sm text-amber-100">{problem}</p>
      )}
      {catalogue && <KeyWarnings missing={missingKeys(catalogue, value, type)} />}
    </div>
  );
}

/** One plain line per missing key, each with the way to Settings. */
export function KeyWarnings({ missing }: { missing: MissingKey[] }) {
  const id = useId();
  const { t } = useTranslation();
  if (missing.length === 0) return null;
  return (
    <ul id={id} aria-label={t("agents.model.missingKeys")} className="space-y-1">
      {missing.map((m) => (
        <li key={m.provider} className="rounded-md border border-amber-700/60 bg-amber-950/40 p-2 text-sm text-amber-100">
          {m.reason ? `${m.reason} ` : ""}{t("agents.model.noKey", { provider: m.label })}{" "}
          <Link to="/settings" className="font-medium text-amber-200 underline underline-offset-2">{t("agents.model.addInSettings")}</Link>.
          {" "}{t("agents.model.ownKeys")}
        </li>
      ))}
    </ul>
  );
}

// A coding agent's second model: the one Claude Code writes the code with (`claude --model`), next to the model
// that plans and checks ("Opus for Claude Code, Codex for the manager"). Empty is Claude Code's own default.
// Claude Code's own names for its models (its aliases follow the newest of each).
const CHOICES = ["", "opus", "sonnet", "haiku"] as const;

interface ClaudeModelProps {
  value: string;
  onChange: (model: string) => void;
  error?: string;
}

export function ClaudeModelPicker({ value, onChange, error }: ClaudeModelProps) {
  const { t } = useTranslation();
  const known = (CHOICES as readonly string[]).includes(value);
  return (
    <SelectInput label={t("agents.claudeModel.label")} hint={t("agents.claudeModel.hint")} name="claude_model" value={value}
      error={error} onChange={(e) => onChange(e.target.value)}>
      {CHOICES.map((choice) => (
        <option key={choice} value={choice}>{t(`agents.claudeModel.choice.${choice || "default"}`)}</option>
      ))}
      {!known && <option value={value}>{value}</option>}
    </SelectInput>
  );
}
