import { useEffect, useState } from "react";
import { api, describeError, type CredentialKind } from "../api";
import { ErrorBanner, Field, optional, splitList } from "../components/common";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

export const KINDS: { value: CredentialKind; label: string }[] = [
  { value: "api-key", label: "API key" },
  { value: "token", label: "Token" },
  { value: "basic", label: "Basic (user:password)" },
  { value: "oauth2-client", label: "OAuth2 client (client_id:client_secret)" },
  { value: "hmac", label: "HMAC secret" },
  { value: "jwt-signing-key", label: "JWT signing key" },
  { value: "secret", label: "Other secret" },
];

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface Draft {
  name: string;
  kind: CredentialKind;
  value: string;
  provider: string;
  integration: string;
  rotate: string;
  hosts: string;
  tokenUrl: string;
  notes: string;
}

/** Client-side checks that catch typos before the round trip; the library checks again. */
export function validateDraft(draft: Draft): Partial<Record<keyof Draft, string>> {
  const problems: Partial<Record<keyof Draft, string>> = {};
  if (!draft.name.trim()) problems.name = "required";
  else if (!NAME_PATTERN.test(draft.name.trim())) problems.name = "letters, digits, dot, dash and underscore; starts with a letter or digit";
  if (!draft.value) problems.value = "required";
  else if ((draft.kind === "basic" || draft.kind === "oauth2-client") && !/^[^:]+:.+$/.test(draft.value)) {
    problems.value = draft.kind === "basic" ? "must be user:password" : "must be client_id:client_secret";
  }
  if (draft.rotate.trim() && !/^\d+$/.test(draft.rotate.trim())) problems.rotate = "a whole number of days";
  if (draft.kind === "oauth2-client" && draft.tokenUrl.trim() && !/^https?:\/\//.test(draft.tokenUrl.trim())) problems.tokenUrl = "an http(s) URL";
  return problems;
}

export function NewCredential() {
  const { go, changed, revision } = useNavigation();
  const setup = useLoad(() => Promise.all([api.integrations(), api.preferences()]), [revision]);
  const [draft, setDraft] = useState<Draft>({ name: "", kind: "api-key", value: "", provider: "", integration: "", rotate: "", hosts: "", tokenUrl: "", notes: "" });
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const problems = validateDraft(draft);
  const shown = touched ? problems : {};
  const update = (field: keyof Draft) => (event: { target: { value: string } }) => setDraft((current) => ({ ...current, [field]: event.target.value }));

  // New credentials start with the rotation period from Settings.
  const defaultRotation = setup.state === "ready" ? setup.value[1].default_rotate_every_days : null;
  useEffect(() => {
    if (defaultRotation !== null) setDraft((current) => (current.rotate ? current : { ...current, rotate: String(defaultRotation) }));
  }, [defaultRotation]);

  const submit = async () => {
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    setSaving(true);
    setError(null);
    try {
      const created = await api.addCredential(
        {
          name: draft.name.trim(),
          kind: draft.kind,
          provider: optional(draft.provider),
          integration: optional(draft.integration),
          rotate_every_days: draft.rotate.trim() ? Number(draft.rotate.trim()) : null,
          expires_at: null,
          allowed_hosts: splitList(draft.hosts),
          allow_insecure: false,
          token_url: draft.kind === "oauth2-client" ? optional(draft.tokenUrl) : null,
          notes: optional(draft.notes),
        },
        draft.value,
      );
      changed();
      go({ screen: "credential", name: created.name });
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby="new-credential-title">
      <h1 id="new-credential-title">New credential</h1>
      <form
        className="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <Field label="Name" error={shown.name}>
          <input name="name" autoFocus value={draft.name} onChange={update("name")} />
        </Field>
        <Field label="Kind">
          <select name="kind" value={draft.kind} onChange={update("kind")}>
            {KINDS.map((kind) => (
              <option key={kind.value} value={kind.value}>
                {kind.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Value" hint="stored in the OS keychain only" error={shown.value}>
          <input name="value" type="password" autoComplete="off" value={draft.value} onChange={update("value")} />
        </Field>
        <Field label="Provider" hint="e.g. github, stripe">
          <input name="provider" value={draft.provider} onChange={update("provider")} />
        </Field>
        <Field label="Integration">
          <select name="integration" value={draft.integration} onChange={update("integration")}>
            <option value="">none</option>
            {setup.state === "ready" &&
              setup.value[0].map((integration) => (
                <option key={integration.name} value={integration.name}>
                  {integration.name}
                </option>
              ))}
          </select>
        </Field>
        <Field label="Allowed hosts" hint="where the value may be sent; defaults to the integration's endpoints">
          <input name="hosts" value={draft.hosts} onChange={update("hosts")} />
        </Field>
        <Field label="Rotate every (days)" hint="empty: no schedule" error={shown.rotate}>
          <input name="rotate" inputMode="numeric" value={draft.rotate} onChange={update("rotate")} />
        </Field>
        {draft.kind === "oauth2-client" && (
          <Field label="Token URL" error={shown.tokenUrl}>
            <input name="tokenUrl" value={draft.tokenUrl} onChange={update("tokenUrl")} />
          </Field>
        )}
        <Field label="Notes">
          <textarea name="notes" value={draft.notes} onChange={update("notes")} />
        </Field>
        <div className="actions">
          <button type="button" onClick={() => go({ screen: "inventory", tab: "credentials" })}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving}>
            {saving ? "Saving…" : "Save credential"}
          </button>
        </div>
      </form>
    </section>
  );
}
