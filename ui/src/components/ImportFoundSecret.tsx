// Importing a secret a scan found, in one step: a name and a kind, prefilled from the
// finding. The value itself never reaches the window: the Rust side re-reads the file
// and stores the secret in the keychain.
import { useEffect, useRef, useState } from "react";
import { api, describeError, type Credential, type CredentialKind, type FoundSecret } from "../api";
import { KINDS } from "../screens/NewCredential";
import { useNavigation } from "../navigation";
import { ErrorBanner, Field } from "./common";

export function ImportFoundSecret({
  finding,
  onImported,
  onCancel,
}: {
  finding: FoundSecret;
  onImported: (credential: Credential) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(finding.suggested_name);
  const [kind, setKind] = useState<CredentialKind>(finding.credential_kind);
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => nameInput.current?.select(), []);

  const submit = async () => {
    setError(null);
    if (!name.trim()) {
      setNameError("A name is required.");
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      onImported(await api.importFoundSecret(finding.id, name.trim(), kind));
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="backdrop" onKeyDown={(event) => event.key === "Escape" && onCancel()}>
      <form
        className="dialog form"
        role="dialog"
        aria-modal="true"
        aria-labelledby="import-found-title"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2 id="import-found-title">Import into the vault</h2>
        <p>
          {finding.description} <span className="mono">{finding.redacted}</span>
          <br />
          <span className="muted small">
            found at {finding.path}:{finding.line} under {finding.root}
          </span>
        </p>
        <ErrorBanner message={error} />
        <Field label="Credential name" error={nameError} hint="how the vault will call it">
          <input ref={nameInput} name="found-name" value={name} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field label="Kind">
          <select name="found-kind" value={kind} onChange={(event) => setKind(event.target.value as CredentialKind)}>
            {KINDS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </Field>
        <p className="muted small">The value is read again from the file by Keyward and stored in the OS keychain; it is never shown here.</p>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Importing…" : "Import"}
          </button>
        </div>
      </form>
    </div>
  );
}

/**
 * The dashboard's fix buttons for scan warnings: "Import" opens the import form for the
 * finding, "Open" shows its file. Other actions are not handled here.
 */
export function FindingActionButton({ findingId, action, label }: { findingId: number; action: "import" | "open-file"; label: string }) {
  const { changed } = useNavigation();
  const [finding, setFinding] = useState<FoundSecret | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setError(null);
    setMessage(null);
    try {
      if (action === "open-file") {
        setMessage(fileShownMessage(await api.openFindingFile(findingId)));
      } else {
        const found = (await api.foundSecrets()).find((candidate) => candidate.id === findingId);
        if (found) setFinding(found);
        else setError("This finding is no longer open; scan again.");
      }
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <>
      <button onClick={() => void run()}>{label}</button>
      {message && <span className="muted small" role="status">{message}</span>}
      {error && <span className="field-error" role="alert">{error}</span>}
      {finding && (
        <ImportFoundSecret
          finding={finding}
          onCancel={() => setFinding(null)}
          onImported={(credential) => {
            setFinding(null);
            setMessage(`Imported as ${credential.name}.`);
            changed();
          }}
        />
      )}
    </>
  );
}

export function fileShownMessage(shown: "opened" | "revealed"): string {
  return shown === "opened" ? "Opened in its default app." : "Shown in the file manager (it could run if opened).";
}
