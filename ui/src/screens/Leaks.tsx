// The Leaks screen: the open scan findings (redacted: the window never receives a
// secret), the fix for each, and "Scan now" with live progress. The scan runs on a
// Rust worker thread; this screen only follows its events, so the window stays usable.
import { useEffect, useState } from "react";
import { api, describeError, events, type FoundSecret, type RootsScanOutcome, type RootsScanProgress, type Severity, type Confidence } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorBanner, Loaded, formatDate } from "../components/common";
import { ImportFoundSecret, fileShownMessage } from "../components/ImportFoundSecret";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

const SEVERITY_LABEL: Record<Severity, string> = { critical: "Critical", high: "High", medium: "Medium", low: "Low", info: "Info" };

/** What the scanner's confidence means to the reader, shown on hover. */
const CONFIDENCE_TITLE: Record<Confidence, string> = {
  high: "High confidence: checksum or structure validated, or a vault value",
  medium: "Medium confidence: a provider's token pattern",
  low: "Low confidence: a generic or entropy match, or found in documentation or tests",
};

type ScanState = { state: "idle" } | { state: "running"; progress: RootsScanProgress | null } | { state: "done"; outcome: RootsScanOutcome } | { state: "failed"; message: string };

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function Leaks() {
  const { revision, go, changed } = useNavigation();
  const load = useLoad(() => Promise.all([api.foundSecrets(), api.scanSettings()]), [revision]);
  const [scan, setScan] = useState<ScanState>({ state: "idle" });
  // Kept here, not in the list: the list unmounts when its last finding goes.
  const [notice, setNotice] = useState<{ message: string | null; error: string | null }>({ message: null, error: null });

  // Progress and the end of any scan, also one the schedule started.
  useEffect(() => {
    const progress = events.scanProgress.listen((event) => setScan({ state: "running", progress: event.payload.progress }));
    const finished = events.scanFinished.listen((event) => {
      const { outcome, error } = event.payload;
      setScan(outcome ? { state: "done", outcome } : { state: "failed", message: error ?? "the scan failed" });
    });
    return () => {
      void progress.then((unlisten) => unlisten());
      void finished.then((unlisten) => unlisten());
    };
  }, []);

  const scanNow = async () => {
    setScan({ state: "running", progress: null });
    try {
      setScan({ state: "done", outcome: await api.scanNow() });
      changed();
    } catch (failure) {
      setScan({ state: "failed", message: describeError(failure) });
    }
  };

  // A scheduled scan may already be running when the screen opens.
  const shown: ScanState = scan.state === "idle" && load.state === "ready" && load.value[1].running ? { state: "running", progress: null } : scan;
  return (
    <section aria-labelledby="leaks-title">
      <div className="screen-head">
        <h1 id="leaks-title">Leaks</h1>
        <button className="primary" onClick={() => void scanNow()} disabled={shown.state === "running"}>
          {shown.state === "running" ? "Scanning…" : "Scan now"}
        </button>
      </div>
      <ScanStatus scan={shown} />
      <ErrorBanner message={notice.error} />
      {notice.message && (
        <p role="status" className="notice">
          {notice.message}
        </p>
      )}
      <Loaded load={load}>
        {([findings, overview]) =>
          overview.settings.roots.length === 0 ? (
            <p className="muted">
              No folders to scan yet.{" "}
              <button className="link" onClick={() => go({ screen: "settings" })}>
                Add folders in Settings
              </button>
            </p>
          ) : (
            <>
              <p className="muted small">
                Scanning {overview.settings.roots.join(", ")}
                {overview.settings.every_hours !== null ? ` every ${overview.settings.every_hours} h` : " on demand only"}.
              </p>
              <FindingList findings={findings} onNotice={setNotice} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function ScanStatus({ scan }: { scan: ScanState }) {
  switch (scan.state) {
    case "idle":
      return null;
    case "running": {
      const progress = scan.progress;
      return (
        <p role="status" className="notice" aria-live="polite" data-testid="scan-progress">
          {progress
            ? `Scanning ${progress.root} (${progress.root_index} of ${progress.roots}): ${progress.files_scanned} files, ${formatBytes(progress.bytes_scanned)}, ${progress.findings} found so far`
            : "Starting the scan…"}
        </p>
      );
    }
    case "done": {
      const outcome = scan.outcome;
      return (
        <p role="status" className="notice" data-testid="scan-progress">
          Scan finished: {outcome.files_scanned} file{outcome.files_scanned === 1 ? "" : "s"}, {formatBytes(outcome.bytes_scanned)} in {outcome.roots} folder{outcome.roots === 1 ? "" : "s"}; {outcome.findings} found
          {outcome.accepted > 0 && `, ${outcome.accepted} accepted earlier`}.
          {outcome.failed.map((failure) => (
            <span key={failure.root} className="field-error">
              {" "}
              {failure.root}: {failure.message}
            </span>
          ))}
        </p>
      );
    }
    case "failed":
      return <ErrorBanner message={scan.message} />;
  }
}

function FindingList({ findings, onNotice }: { findings: FoundSecret[]; onNotice: (notice: { message: string | null; error: string | null }) => void }) {
  const { go, changed } = useNavigation();
  const [importing, setImporting] = useState<FoundSecret | null>(null);
  const [accepting, setAccepting] = useState<FoundSecret | null>(null);

  const attempt = async (work: () => Promise<string>) => {
    onNotice({ message: null, error: null });
    try {
      onNotice({ message: await work(), error: null });
    } catch (failure) {
      onNotice({ message: null, error: describeError(failure) });
    }
  };

  if (findings.length === 0) {
    return (
      <p className="muted" data-testid="no-findings">
        No open findings.
      </p>
    );
  }
  return (
    <>
      <table className="plain" aria-label="Findings">
        <thead>
          <tr>
            <th>Severity</th>
            <th>Rule</th>
            <th>Where</th>
            <th>Match</th>
            <th>Vault</th>
            <th>Fix</th>
          </tr>
        </thead>
        <tbody>
          {findings.map((finding) => (
            <tr key={finding.id} data-testid="finding">
              <td>
                <span className={`badge severity-${finding.severity}`}>{SEVERITY_LABEL[finding.severity]}</span>
                <div className="muted small" data-testid="confidence" title={CONFIDENCE_TITLE[finding.confidence]}>
                  {finding.confidence} confidence
                </div>
              </td>
              <td>
                <div>{finding.rule}</div>
                <div className="muted small">{finding.description}</div>
              </td>
              <td>
                <div className="mono">
                  {finding.path}:{finding.line}
                </div>
                <div className="muted small">
                  {finding.root}
                  {finding.commit !== null && ` · commit ${finding.commit.slice(0, 12)}`} · since {formatDate(finding.first_seen)}
                </div>
              </td>
              <td className="mono" data-testid="redacted">
                {finding.redacted}
              </td>
              <td>{finding.vault_credential !== null ? <strong>matches {finding.vault_credential}</strong> : <span className="muted">not in the vault</span>}</td>
              <td>
                <div className="actions">
                  {finding.action.action === "rotate" && <button onClick={() => go({ screen: "credential", name: finding.vault_credential ?? "" })}>Rotate {finding.vault_credential}</button>}
                  {finding.action.action === "import" && (
                    <button className="primary" onClick={() => setImporting(finding)}>
                      Import…
                    </button>
                  )}
                  <button onClick={() => void attempt(async () => fileShownMessage(await api.openFindingFile(finding.id)))}>Open file</button>
                  <button onClick={() => setAccepting(finding)}>Accept</button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {importing && (
        <ImportFoundSecret
          finding={importing}
          onCancel={() => setImporting(null)}
          onImported={(credential) => {
            setImporting(null);
            onNotice({ message: `Imported as ${credential.name}; it is now in the keychain.`, error: null });
            changed();
          }}
        />
      )}
      {accepting && (
        <ConfirmDialog
          title="Accept this finding?"
          message={`${accepting.rule} at ${accepting.path}:${accepting.line} will not be reported again while the same secret stays there.`}
          confirmLabel="Accept"
          onCancel={() => setAccepting(null)}
          onConfirm={() => {
            const id = accepting.id;
            setAccepting(null);
            void attempt(async () => {
              await api.acceptFinding(id);
              changed();
              return "Finding accepted.";
            });
          }}
        />
      )}
    </>
  );
}
