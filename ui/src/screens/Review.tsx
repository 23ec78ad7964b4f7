// The security lead's Review area: every credential across this workstation, imported
// bundles and the team database in one filterable table, the figures over it, the
// report and bundle exports, and the access review of this workstation's credentials.
import { useMemo, useState } from "react";
import { api, describeError, type BoardRow, type ReportFormat, type ReportScope, type TeamBoard, type WrittenFile } from "../api";
import { ErrorBanner, Loaded } from "../components/common";
import { VirtualTable, type Column } from "../components/VirtualTable";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";
import { AccessReview } from "./AccessReview";
import { BundleImport, TeamDatabasePanel } from "./ReviewSources";

/** A board row flattened for the table. */
interface TeamRow {
  key: string;
  source: BoardRow["source"];
  workstation: string;
  user: string;
  name: string;
  owner: string;
  team: string;
  environment: string;
  grade: string;
  severity: string;
  nextRotation: string;
  lastReview: string;
  signature: string;
}

export interface BoardFilters {
  owner: string;
  team: string;
  environment: string;
  /** A severity, `none` for rows without open findings, or "" for any. */
  severity: string;
}

const NO_FILTERS: BoardFilters = { owner: "", team: "", environment: "", severity: "" };
const SOURCE_LABEL: Record<BoardRow["source"], string> = { local: "this workstation", bundle: "bundle", "team-database": "team database" };

export function teamRows(board: TeamBoard): TeamRow[] {
  return board.rows.map((entry) => ({
    key: `${entry.workstation_id}/${entry.row.name}`,
    source: entry.source,
    workstation: entry.row.workstation,
    user: entry.user,
    name: entry.row.name,
    owner: entry.row.owner,
    team: entry.team,
    environment: entry.row.environment,
    grade: entry.row.grade,
    severity: entry.row.worst_severity,
    nextRotation: entry.row.rotation_overdue ? `${entry.row.next_rotation} (overdue)` : entry.row.next_rotation,
    lastReview: entry.row.last_review,
    signature: entry.verified ? SOURCE_LABEL[entry.source] : "UNVERIFIED",
  }));
}

/** The rows that pass every set filter. */
export function filterRows(rows: TeamRow[], filters: BoardFilters): TeamRow[] {
  return rows.filter(
    (row) =>
      (!filters.owner || row.owner === filters.owner) &&
      (!filters.team || row.team === filters.team) &&
      (!filters.environment || row.environment === filters.environment) &&
      (!filters.severity || (filters.severity === "none" ? row.severity === "" : row.severity === filters.severity)),
  );
}

const COLUMNS: Column<TeamRow>[] = [
  { id: "workstation", header: "Host", value: (row) => row.workstation },
  { id: "user", header: "User", value: (row) => row.user },
  { id: "name", header: "Credential", value: (row) => row.name },
  { id: "owner", header: "Owner", value: (row) => row.owner, show: (value) => value || "—" },
  { id: "team", header: "Team", value: (row) => row.team, show: (value) => value || "—" },
  { id: "environment", header: "Env", value: (row) => row.environment, show: (value) => value || "—" },
  { id: "grade", header: "Grade", value: (row) => row.grade, show: (value) => value || "—" },
  { id: "severity", header: "Severity", value: (row) => row.severity, show: (value) => value || "—" },
  { id: "nextRotation", header: "Next rotation", value: (row) => row.nextRotation, show: (value) => value || "—" },
  { id: "lastReview", header: "Reviewed", value: (row) => row.lastReview, show: (value) => value || "never" },
  { id: "signature", header: "Source", value: (row) => row.signature },
];

export function Review({ credential }: { credential?: string | undefined }) {
  const { revision } = useNavigation();
  const load = useLoad(() => api.teamBoard(), [revision]);
  return (
    <section aria-labelledby="review-title" className="review">
      <header className="screen-head">
        <h1 id="review-title">Review</h1>
        <ReportActions />
      </header>
      <Loaded load={load}>{(board) => <Board board={board} />}</Loaded>
      <div className="review-sources">
        <BundleImport />
        <TeamDatabasePanel />
      </div>
      <AccessReview focus={credential} />
    </section>
  );
}

function ReportActions() {
  const [scope, setScope] = useState<ReportScope>("local");
  const [written, setWritten] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (what: string, action: () => Promise<WrittenFile | null>) => {
    setBusy(true);
    setError(null);
    setWritten(null);
    try {
      const file = await action();
      if (file) setWritten(`${what}: ${file.path}`);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };
  const report = (format: ReportFormat) => api.exportReport(format, scope);

  return (
    <div className="review-actions">
      <div className="actions">
        <label className="check">
          Report on
          <select aria-label="Report scope" value={scope} onChange={(event) => setScope(event.target.value as ReportScope)}>
            <option value="local">this workstation</option>
            <option value="team">the whole team</option>
          </select>
        </label>
        <button disabled={busy} onClick={() => void run("Opened the HTML report", () => api.openHtmlReport(scope))}>
          Open HTML report
        </button>
        <button disabled={busy} onClick={() => void run("Exported CSV", () => report("csv"))}>
          Export CSV
        </button>
        <button disabled={busy} onClick={() => void run("Exported bundle", () => api.exportBundle())}>
          Export bundle
        </button>
      </div>
      <ErrorBanner message={error} />
      {written && (
        <p role="status" className="muted small" data-testid="written-file">
          {written}
        </p>
      )}
    </div>
  );
}

function Board({ board }: { board: TeamBoard }) {
  const { go } = useNavigation();
  const [filters, setFilters] = useState<BoardFilters>(NO_FILTERS);
  const [search, setSearch] = useState("");
  const rows = useMemo(() => teamRows(board), [board]);
  const visible = useMemo(() => filterRows(rows, filters), [rows, filters]);
  const options = (pick: (row: TeamRow) => string) => [...new Set(rows.map(pick).filter((value) => value !== ""))].sort();
  const select = (label: string, key: keyof BoardFilters, values: string[], labels: Record<string, string> = {}) => (
    <label className="check">
      {label}
      <select aria-label={`Filter by ${label.toLowerCase()}`} value={filters[key]} onChange={(event) => setFilters({ ...filters, [key]: event.target.value })}>
        <option value="">any</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {labels[value] ?? value}
          </option>
        ))}
      </select>
    </label>
  );
  const summary = board.summary;
  const tiles = [
    { label: "Workstations", value: summary.workstations },
    { label: "Credentials", value: summary.credentials },
    { label: "Overdue rotations", value: summary.overdue_rotations, attention: summary.overdue_rotations > 0 },
    ...summary.findings.map((entry) => ({ label: `${entry.severity[0]?.toUpperCase()}${entry.severity.slice(1)} findings`, value: entry.count, attention: entry.count > 0 && (entry.severity === "critical" || entry.severity === "high") })),
    ...(summary.altered_rows > 0 ? [{ label: "Unverified rows", value: summary.altered_rows, attention: true }] : []),
  ];

  return (
    <>
      <div className="tiles" aria-label="Team summary">
        {tiles.map((tile) => (
          <div key={tile.label} className={tile.attention ? "tile attention" : "tile"} aria-label={`${tile.label}: ${tile.value}`}>
            <div className="tile-value">{tile.value}</div>
            <div className="tile-label">{tile.label}</div>
          </div>
        ))}
      </div>
      {board.shared_fingerprints.length > 0 && (
        <div className="notice" role="note">
          <strong>The same secret on several workstations:</strong>
          <ul>
            {board.shared_fingerprints.map((shared) => (
              <li key={shared.fingerprint}>{shared.holders.join(", ")}</li>
            ))}
          </ul>
        </div>
      )}
      <h2>Team credentials</h2>
      <div className="toolbar review-filters">
        {select("Owner", "owner", options((row) => row.owner))}
        {select("Team", "team", options((row) => row.team))}
        {select("Environment", "environment", options((row) => row.environment))}
        {select("Severity", "severity", ["critical", "high", "medium", "low", "none"], { none: "no findings" })}
        <input type="search" aria-label="Search team credentials" placeholder="Search…" value={search} onChange={(event) => setSearch(event.target.value)} />
      </div>
      <p className="muted small" data-testid="board-count">
        {visible.length} of {rows.length} credentials
      </p>
      <div className="review-table">
        <VirtualTable
          label="Team credentials"
          rows={visible}
          columns={COLUMNS}
          filter={search}
          rowKey={(row) => row.key}
          onOpen={(row) => row.source === "local" && go({ screen: "credential", name: row.name })}
        />
      </div>
    </>
  );
}
