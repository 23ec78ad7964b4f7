import { useMemo, useState } from "react";
import { api, describeError, type AuditProblem, type AuditVerification } from "../api";
import { ErrorBanner, Loaded, formatDateTime } from "../components/common";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

export function describeProblem(problem: AuditProblem): string {
  switch (problem.problem) {
    case "edited":
      return `entry ${problem.seq} was edited`;
    case "missing":
      return `entries between ${problem.after} and ${problem.before} are missing`;
    case "broken-link":
      return `entry ${problem.seq} does not follow the one before it`;
    case "truncated":
      return `the log ends at ${problem.last_seq} but the keychain anchor names ${problem.anchor_seq}`;
    case "anchor-mismatch":
      return `entry ${problem.seq} differs from the keychain anchor`;
    case "anchor-missing":
      return "the keychain anchor is missing";
    case "forged":
      return `entry ${problem.seq} is forged (no valid MAC)`;
    case "unvouched":
      return `${problem.count} entries after ${problem.after} predate entry MACs and nothing vouches for them`;
    case "integrity-key-missing":
      return "the keychain no longer holds the integrity key";
    case "row-altered":
      return `${problem.table} row ${problem.row} (${problem.name}) was changed outside Keyward`;
    case "row-deleted":
      return `${problem.table} row ${problem.row} was deleted outside Keyward`;
  }
}

/** `filter` and `action` preset the filters (a link from a rotation's result). */
export function AuditLog({ filter: initialFilter = "", action: initialAction = "" }: { filter?: string | undefined; action?: string | undefined }) {
  const { revision } = useNavigation();
  const load = useLoad(() => api.auditEntries(), [revision]);
  const [filter, setFilter] = useState(initialFilter);
  const [action, setAction] = useState(initialAction);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [error, setError] = useState<string | null>(null);

  // The preset action is an option from the first paint, before the entries arrive.
  const actions = useMemo(() => {
    const names = new Set(load.state === "ready" ? load.value.map((entry) => entry.action) : []);
    if (action) names.add(action);
    return [...names].sort();
  }, [load, action]);

  const verify = async () => {
    setError(null);
    try {
      setVerification(await api.verifyAudit());
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <section aria-labelledby="audit-title">
      <header className="screen-head">
        <h1 id="audit-title">Audit log</h1>
        <div className="actions">
          <button className="primary" onClick={() => void verify()}>
            Verify chain
          </button>
        </div>
      </header>
      <ErrorBanner message={error} />
      {verification && (
        <div role="status" data-testid="audit-verification" className={verification.intact ? "notice" : "error"}>
          {verification.intact
            ? `Chain intact: ${verification.entries} entries${verification.unanchored > 0 ? `, ${verification.unanchored} not yet anchored` : ""}.`
            : `Chain broken: ${verification.problems.map(describeProblem).join("; ")}.`}
        </div>
      )}
      <div className="toolbar">
        <input type="search" aria-label="Filter audit entries" placeholder="Filter by subject, actor or detail…" value={filter} onChange={(event) => setFilter(event.target.value)} />
        <select aria-label="Action" value={action} onChange={(event) => setAction(event.target.value)}>
          <option value="">all actions</option>
          {actions.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <Loaded load={load}>
        {(entries) => {
          const needle = filter.trim().toLowerCase();
          const shown = entries
            .filter((entry) => (!action || entry.action === action) && (!needle || `${entry.subject} ${entry.actor} ${entry.detail}`.toLowerCase().includes(needle)))
            .reverse();
          return (
            <table className="plain" aria-label="Audit entries">
              <thead>
                <tr>
                  <th>#</th>
                  <th>When</th>
                  <th>Action</th>
                  <th>Subject</th>
                  <th>Actor</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((entry) => (
                  <tr key={entry.seq}>
                    <td>{entry.seq}</td>
                    <td>{formatDateTime(entry.at)}</td>
                    <td>{entry.action}</td>
                    <td>{entry.subject}</td>
                    <td>{entry.actor}</td>
                    <td className="mono small">{entry.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </section>
  );
}
