import { memo, useCallback, useEffect, useState } from "react";
import { api, type Dashboard as DashboardData, type FixAction, type Severity, type Warning } from "../api";
import { Loaded, formatDate } from "../components/common";
import { ProbeAll } from "../components/ProbeAll";
import { usePostureEpoch } from "../usePosture";
import { FindingActionButton } from "../components/ImportFoundSecret";
import { RotateDialog, type RotateTarget } from "../components/RotateDialog";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

const SEVERITY_LABEL: Record<Severity, string> = { critical: "Critical", high: "High", medium: "Medium", low: "Low", info: "Info" };

/** The button text for the action that fixes a warning. */
export function actionLabel(action: FixAction): string {
  switch (action.action) {
    case "rotate":
      return `Rotate ${action.credential}`;
    case "verify":
      return `Verify ${action.credential}`;
    case "import":
      return "Import into the vault";
    case "review":
      return `Review ${action.credential}`;
    case "open-file":
      return `Open ${action.path}:${action.line}`;
    case "posture":
      return `Posture of ${action.integration}`;
  }
}

export function Dashboard() {
  const { revision } = useNavigation();
  const postureEpoch = usePostureEpoch();
  const load = useLoad(() => api.dashboard(), [revision, postureEpoch]);
  // The window starts hidden and is shown once the dashboard, or why it failed, is on
  // the page: the first frame a user sees is never blank.
  const settled = load.state !== "loading";
  useEffect(() => {
    if (settled) void api.windowReady();
  }, [settled]);
  return (
    <section aria-labelledby="dashboard-title">
      <header className="screen-head">
        <h1 id="dashboard-title">Dashboard</h1>
        <ProbeAll />
      </header>
      <Loaded load={load}>{(dashboard) => <DashboardBody dashboard={dashboard} />}</Loaded>
    </section>
  );
}

/** Marks the first paint of real data, which the start-up benchmark reads. */
function markFirstRender() {
  requestAnimationFrame(() => {
    if (performance.getEntriesByName("keyward:first-render").length === 0) performance.mark("keyward:first-render");
  });
}

function DashboardBody({ dashboard }: { dashboard: DashboardData }) {
  const { changed } = useNavigation();
  const [rotating, setRotating] = useState<RotateTarget | null>(null);
  const rotateOne = useCallback((name: string) => setRotating({ kind: "one", name }), []);
  useEffect(markFirstRender, []);
  const tiles: { label: string; value: number | null; unknown?: string; attention?: boolean }[] = [
    { label: "Credentials", value: dashboard.credentials },
    { label: "Integrations", value: dashboard.integrations },
    { label: "Overdue rotations", value: dashboard.overdue_rotations, attention: dashboard.overdue_rotations > 0 },
    { label: "Expiring certificates", value: dashboard.expiring_certificates, attention: dashboard.expiring_certificates > 0 },
    { label: "Leaks", value: dashboard.leaks, unknown: "not scanned yet", attention: (dashboard.leaks ?? 0) > 0 },
    { label: "Failing posture", value: dashboard.failing_posture, unknown: "not probed yet", attention: (dashboard.failing_posture ?? 0) > 0 },
  ];
  return (
    <>
      <div className="tiles">
        {tiles.map((tile) => (
          <div key={tile.label} className={tile.attention ? "tile attention" : "tile"} aria-label={`${tile.label}: ${tile.value ?? tile.unknown}`}>
            <div className="tile-value">{tile.value ?? "—"}</div>
            <div className="tile-label">{tile.label}</div>
            {tile.value === null && <div className="muted small">{tile.unknown}</div>}
          </div>
        ))}
      </div>
      {dashboard.overdue_rotations > 0 && (
        <div className="actions">
          <button className="primary" onClick={() => setRotating({ kind: "overdue" })}>
            Rotate all overdue
          </button>
        </div>
      )}
      <h2>Needs attention</h2>
      {dashboard.warnings.length === 0 ? (
        <p className="muted" data-testid="no-warnings">
          Nothing needs attention.
        </p>
      ) : (
        <WarningList warnings={dashboard.warnings} onRotate={rotateOne} />
      )}
      {rotating && (
        <RotateDialog
          target={rotating}
          onClose={(rotated) => {
            setRotating(null);
            if (rotated) changed();
          }}
        />
      )}
    </>
  );
}

/**
 * How many warnings show before "Show all": the most severe come first (the library
 * orders them), and thousands of rows (a large inventory long overdue) would make the
 * dashboard, and leaving it, slow for a list nobody reads to the end.
 */
const FIRST_WARNINGS = 50;

const WarningList = memo(function WarningList({ warnings, onRotate }: { warnings: Warning[]; onRotate: (credential: string) => void }) {
  const [all, setAll] = useState(false);
  const shown = all ? warnings : warnings.slice(0, FIRST_WARNINGS);
  const hidden = warnings.length - shown.length;
  return (
    <>
      <ul className="warnings" aria-label="Warnings">
        {shown.map((warning) => (
          <WarningItem key={warning.id} warning={warning} onRotate={onRotate} />
        ))}
      </ul>
      {hidden > 0 && (
        <button className="link" onClick={() => setAll(true)}>
          Show all {warnings.length} warnings ({hidden} more)
        </button>
      )}
    </>
  );
});

function WarningItem({ warning, onRotate }: { warning: Warning; onRotate: (credential: string) => void }) {
  const { go } = useNavigation();
  return (
    <li className={`warning severity-${warning.severity}`}>
      <span className={`badge severity-${warning.severity}`}>{SEVERITY_LABEL[warning.severity]}</span>
      <span className="warning-text">
        {warning.credential !== null && <strong>{warning.credential}: </strong>}
        {warning.message}
        {warning.due !== null && <span className="muted"> (due {formatDate(warning.due)})</span>}
      </span>
      {warning.credential !== null ? (
        <button
          onClick={() =>
            warning.action.action === "rotate"
              ? onRotate(warning.action.credential)
              : go(warning.action.action === "review" ? { screen: "review", credential: warning.action.credential } : { screen: "credential", name: warning.credential ?? "" })
          }
        >
          {actionLabel(warning.action)}
        </button>
      ) : warning.action.action === "posture" ? (
        <button onClick={() => warning.action.action === "posture" && go({ screen: "integration", name: warning.action.integration })}>{actionLabel(warning.action)}</button>
      ) : warning.finding_id !== null && (warning.action.action === "import" || warning.action.action === "open-file") ? (
        <FindingActionButton findingId={warning.finding_id} action={warning.action.action} label={actionLabel(warning.action)} />
      ) : (
        <span className="muted small">{actionLabel(warning.action)}</span>
      )}
    </li>
  );
}
