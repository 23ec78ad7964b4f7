import { open } from "@tauri-apps/plugin-dialog";
import { useEffect, useState } from "react";
import { api, describeError, events, type ImportFormat, type ImportOutcome, type ImportPreviewItem, type ImportProgress } from "../api";
import { ErrorBanner, Field, optional } from "../components/common";
import { useNavigation } from "../navigation";

const FORMATS: { value: ImportFormat; label: string; extensions: string[] }[] = [
  { value: "dotenv", label: ".env file", extensions: ["env"] },
  { value: "postman", label: "Postman environment", extensions: ["json"] },
  { value: "csv", label: "CSV export", extensions: ["csv"] },
];

/** Asks for a file through the native dialog; the Rust side reads it, not the webview. */
async function pickFile(name: string, extensions: string[]): Promise<string | null> {
  const chosen = await open({ multiple: false, directory: false, filters: [{ name, extensions }, { name: "All files", extensions: ["*"] }] });
  return typeof chosen === "string" ? chosen : null;
}

export function ImportScreen() {
  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">Import</h1>
      <FileImport />
      <CertificateImport />
    </section>
  );
}

function FileImport() {
  const { changed, go } = useNavigation();
  const [format, setFormat] = useState<ImportFormat>("dotenv");
  const [path, setPath] = useState("");
  const [preview, setPreview] = useState<ImportPreviewItem[] | null>(null);
  const [includeAll, setIncludeAll] = useState(false);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const pending = events.importProgress.listen((event) => setProgress(event.payload));
    return () => {
      void pending.then((unlisten) => unlisten());
    };
  }, []);

  const showPreview = async () => {
    setError(null);
    setOutcome(null);
    try {
      setPreview(await api.previewImport(format, path.trim()));
    } catch (failure) {
      setPreview(null);
      setError(describeError(failure));
    }
  };

  const runImport = async () => {
    setBusy(true);
    setError(null);
    try {
      const done = await api.importFile(format, path.trim(), { include_all: includeAll, only: [], integration: null });
      setOutcome(done);
      setPreview(null);
      changed();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const chosen = preview?.filter((item) => includeAll || item.skip === null) ?? [];
  const formatInfo = FORMATS.find((candidate) => candidate.value === format) ?? FORMATS[0];

  return (
    <form
      className="form"
      aria-label="Import a file"
      onSubmit={(event) => {
        event.preventDefault();
        void showPreview();
      }}
    >
      <h2>From a file</h2>
      <ErrorBanner message={error} />
      <Field label="Format">
        <select name="format" value={format} onChange={(event) => setFormat(event.target.value as ImportFormat)}>
          {FORMATS.map((candidate) => (
            <option key={candidate.value} value={candidate.value}>
              {candidate.label}
            </option>
          ))}
        </select>
      </Field>
      <div className="inline">
        <Field label="File path">
          <input name="path" value={path} onChange={(event) => setPath(event.target.value)} placeholder="/home/me/project/.env" />
        </Field>
        <button type="button" onClick={() => formatInfo && pickFile(formatInfo.label, formatInfo.extensions).then((picked) => picked && setPath(picked))}>
          Choose file…
        </button>
      </div>
      <label className="check">
        <input type="checkbox" checked={includeAll} onChange={(event) => setIncludeAll(event.target.checked)} /> Also import entries that do not look like secrets
      </label>
      <div className="actions">
        <button type="submit" disabled={!path.trim()}>
          Preview
        </button>
      </div>
      {preview && (
        <>
          <table className="plain" aria-label="Import preview">
            <thead>
              <tr>
                <th>Line</th>
                <th>Name</th>
                <th>Kind</th>
                <th>Provider</th>
                <th>Value</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {preview.map((item) => (
                <tr key={`${item.line}:${item.name}`} className={item.skip && !includeAll ? "skipped" : undefined}>
                  <td>{item.line}</td>
                  <td>{item.name}</td>
                  <td>{item.kind}</td>
                  <td>{item.provider ?? "—"}</td>
                  <td className="mono">{item.redacted}</td>
                  <td>{item.skip && !includeAll ? `skip: ${item.skip}` : "create"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions">
            <button type="button" className="primary" disabled={busy || chosen.length === 0} onClick={() => void runImport()}>
              {busy ? "Importing…" : `Import ${chosen.length} credential${chosen.length === 1 ? "" : "s"}`}
            </button>
          </div>
        </>
      )}
      {busy && progress && (
        <p role="status" className="muted">
          {progress.stage === "reading" ? "Reading the file…" : `Storing ${progress.entries} entries in the keychain…`}
        </p>
      )}
      {outcome && (
        <div role="status" className="notice" data-testid="import-outcome">
          Imported {outcome.created.length} credential{outcome.created.length === 1 ? "" : "s"}
          {outcome.skipped.length > 0 ? `, skipped ${outcome.skipped.length}` : ""}.{" "}
          <button type="button" className="link" onClick={() => go({ screen: "inventory", tab: "credentials" })}>
            Show in inventory
          </button>
        </div>
      )}
    </form>
  );
}

function CertificateImport() {
  const { changed, go } = useNavigation();
  const [path, setPath] = useState("");
  const [keyPath, setKeyPath] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [provider, setProvider] = useState("");
  const [error, setError] = useState<string | null>(null);
  const isPkcs12 = /\.(p12|pfx)$/i.test(path.trim());

  const submit = async () => {
    setError(null);
    if (!name.trim() || !path.trim()) {
      setError("Name and certificate file are required.");
      return;
    }
    try {
      const created = await api.importCertificate({
        path: path.trim(),
        key_path: optional(keyPath),
        password: isPkcs12 ? password : null,
        credential: { name: name.trim(), kind: "client-cert", provider: optional(provider), integration: null, rotate_every_days: null, expires_at: null, allowed_hosts: [], allow_insecure: false, token_url: null, notes: null },
      });
      changed();
      go({ screen: "credential", name: created.name });
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <form
      className="form"
      aria-label="Import a certificate"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>Client certificate</h2>
      <p className="muted">PEM (certificate and key, or the key in a second file) or PKCS#12 with its password.</p>
      <ErrorBanner message={error} />
      <Field label="Credential name">
        <input value={name} onChange={(event) => setName(event.target.value)} />
      </Field>
      <div className="inline">
        <Field label="Certificate file">
          <input value={path} onChange={(event) => setPath(event.target.value)} />
        </Field>
        <button type="button" onClick={() => pickFile("Certificates", ["pem", "crt", "p12", "pfx"]).then((picked) => picked && setPath(picked))}>
          Choose file…
        </button>
      </div>
      {isPkcs12 ? (
        <Field label="PKCS#12 password">
          <input type="password" autoComplete="off" value={password} onChange={(event) => setPassword(event.target.value)} />
        </Field>
      ) : (
        <div className="inline">
          <Field label="Key file" hint="if the key is not inside the certificate file">
            <input value={keyPath} onChange={(event) => setKeyPath(event.target.value)} />
          </Field>
          <button type="button" onClick={() => pickFile("Keys", ["pem", "key"]).then((picked) => picked && setKeyPath(picked))}>
            Choose file…
          </button>
        </div>
      )}
      <Field label="Provider">
        <input value={provider} onChange={(event) => setProvider(event.target.value)} />
      </Field>
      <div className="actions">
        <button type="submit" className="primary">
          Import certificate
        </button>
      </div>
    </form>
  );
}
