// Where the team board's other workstations come from: signed bundles imported from
// files, and the team database on PostgreSQL.
import { open } from "@tauri-apps/plugin-dialog";
import { useState } from "react";
import { api, describeError, type ImportedBundle, type SyncOutcome } from "../api";
import { ErrorBanner, Field, formatDateTime, optional, splitList } from "../components/common";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

/** The library's refusals name the CLI flag; here the same choice is a checkbox. */
function inAppTerms(message: string): string {
  return message.replace(/import( again)? with --trust-new/, "tick “Trust workstations seen for the first time” and import again");
}

export function BundleImport() {
  const { changed } = useNavigation();
  const [paths, setPaths] = useState("");
  const [trustNew, setTrustNew] = useState(false);
  const [imported, setImported] = useState<ImportedBundle[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = async () => {
    const chosen = await open({ multiple: true, directory: false, filters: [{ name: "Keyward bundles", extensions: ["json"] }, { name: "All files", extensions: ["*"] }] });
    if (Array.isArray(chosen)) setPaths(chosen.join("\n"));
    else if (typeof chosen === "string") setPaths(chosen);
  };

  const submit = async () => {
    const files = splitList(paths);
    setError(null);
    setImported(null);
    if (files.length === 0) {
      setError("Choose at least one bundle file.");
      return;
    }
    setBusy(true);
    try {
      setImported(await api.importBundles(files, trustNew));
      setPaths("");
      setTrustNew(false);
      changed();
    } catch (failure) {
      setError(inAppTerms(describeError(failure)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form"
      aria-label="Import bundles"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>Import bundles</h2>
      <p className="muted">Signed bundles from other workstations (<code>keyward export --bundle</code>). All are verified before any is imported.</p>
      <ErrorBanner message={error} />
      <div className="inline">
        <Field label="Bundle files" hint="one path per line">
          <textarea name="bundles" rows={2} value={paths} onChange={(event) => setPaths(event.target.value)} />
        </Field>
        <button type="button" onClick={() => void choose()}>
          Choose files…
        </button>
      </div>
      <label className="check">
        <input type="checkbox" name="trust-new" checked={trustNew} onChange={(event) => setTrustNew(event.target.checked)} /> Trust workstations seen for the first time (compare
        their key fingerprint with the owner first)
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Verifying…" : "Import bundles"}
        </button>
      </div>
      {imported && (
        <div role="status" className="notice" data-testid="bundle-outcome">
          {imported.map((bundle) => (
            <div key={`${bundle.workstation.id}/${bundle.sequence}`}>
              Imported bundle {bundle.sequence} from {bundle.workstation.hostname} ({bundle.workstation.user}, {bundle.credentials} credentials)
              {bundle.newly_trusted ? `; now trusting key ${bundle.key_fingerprint}` : ""}
            </div>
          ))}
        </div>
      )}
    </form>
  );
}

export interface TeamDatabaseErrors {
  url?: string;
  password?: string;
}

/** Checks the connect form before anything is sent to the backend. */
export function validateTeamDatabase(url: string, password: string): TeamDatabaseErrors {
  const errors: TeamDatabaseErrors = {};
  const text = url.trim();
  if (!text) {
    errors.url = "required";
    return errors;
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    errors.url = "not a URL; expected postgres://USER@HOST:PORT/DATABASE";
    return errors;
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") errors.url = "must start with postgres:// or postgresql://";
  else if (!parsed.hostname) errors.url = "names no host";
  else if (parsed.password && password) errors.password = "the URL already has a password; give it once";
  return errors;
}

export function TeamDatabasePanel() {
  const { changed, revision } = useNavigation();
  const load = useLoad(() => api.teamDatabase(), [revision]);
  const [url, setUrl] = useState("");
  const [password, setPassword] = useState("");
  const [ca, setCa] = useState("");
  const [errors, setErrors] = useState<TeamDatabaseErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [synced, setSynced] = useState<SyncOutcome | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      changed();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const connect = () => {
    const found = validateTeamDatabase(url, password);
    setErrors(found);
    if (found.url || found.password) return;
    void act(async () => {
      await api.connectTeamDatabase(url.trim(), optional(password), optional(ca));
      setUrl("");
      setPassword("");
    });
  };

  const connected = load.state === "ready" ? load.value : null;
  return (
    <section className="form" aria-label="Team database">
      <h2>Team database</h2>
      <ErrorBanner message={error} />
      {connected ? (
        <>
          <p data-testid="team-database">
            Connected to <span className="mono">{connected.target}</span>
            {connected.pulled_at ? `, team view from ${formatDateTime(connected.pulled_at)}` : ""}.
          </p>
          <div className="actions">
            <button type="button" disabled={busy} onClick={() => void act(() => api.disconnectTeamDatabase())}>
              Disconnect
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => void act(async () => setSynced(await api.syncTeamDatabase()))}>
              {busy ? "Syncing…" : "Sync now"}
            </button>
          </div>
          {synced && (
            <p role="status" className="muted small">
              Synced {synced.credentials} credential(s) and {synced.integrations} integration(s); {synced.removed} removed.
            </p>
          )}
        </>
      ) : (
        <form
          className="form"
          aria-label="Connect team database"
          onSubmit={(event) => {
            event.preventDefault();
            connect();
          }}
        >
          <p className="muted">The URL and password are kept in the OS keychain, never in the inventory database.</p>
          <Field label="PostgreSQL URL" hint="postgres://USER@HOST:5432/DATABASE?sslmode=require" error={errors.url}>
            <input name="postgres-url" value={url} onChange={(event) => setUrl(event.target.value)} autoComplete="off" />
          </Field>
          <Field label="Password" hint="if not in the URL" error={errors.password}>
            <input name="postgres-password" type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="off" />
          </Field>
          <div className="inline">
            <Field label="CA certificate" hint="PEM; default: the public web roots">
              <input name="postgres-ca" value={ca} onChange={(event) => setCa(event.target.value)} />
            </Field>
            <button type="button" onClick={() => void open({ multiple: false, directory: false, filters: [{ name: "Certificates", extensions: ["pem", "crt"] }] }).then((picked) => typeof picked === "string" && setCa(picked))}>
              Choose file…
            </button>
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Connecting…" : "Connect team database"}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
