import { api, type RotationHistory as History, type RotationState } from "../api";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";
import { Loaded, formatDateTime } from "./common";

const OUTCOME: Partial<Record<RotationState, string>> = { done: "rotated", "rolled-back": "rolled back" };

/** A credential's rotations, newest first; each expands to its journaled steps. */
export function RotationHistory({ name }: { name: string }) {
  const { revision } = useNavigation();
  const load = useLoad(() => api.rotationHistory(name), [name, revision]);
  return (
    <section aria-labelledby="rotation-history-title">
      <h2 id="rotation-history-title">Rotation history</h2>
      <Loaded load={load}>
        {(history) =>
          history.length === 0 ? (
            <p className="muted">Never rotated by Keyward.</p>
          ) : (
            <table className="plain" aria-label="Rotation history">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Started</th>
                  <th>Method</th>
                  <th>Outcome</th>
                  <th>Steps</th>
                </tr>
              </thead>
              <tbody>
                {history.map((rotation) => (
                  <Row key={rotation.id} rotation={rotation} />
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}

function Row({ rotation }: { rotation: History }) {
  const outcome = OUTCOME[rotation.state] ?? `unfinished (${rotation.state})`;
  return (
    <tr data-testid="rotation-row">
      <td>{rotation.id}</td>
      <td>{formatDateTime(rotation.started_at)}</td>
      <td>{rotation.method}</td>
      <td>
        {outcome}
        {rotation.error && <div className="field-error">{rotation.error}</div>}
        {rotation.previous_kept && rotation.grace_until && <div className="muted small">old value kept until {formatDateTime(rotation.grace_until)}</div>}
      </td>
      <td>
        <details>
          <summary>{rotation.steps.length} steps</summary>
          <ol className="rotation-steps small">
            {rotation.steps.map((step, index) => (
              <li key={index}>
                {formatDateTime(step.at)} <strong>{step.state}</strong>: {step.message}
              </li>
            ))}
          </ol>
        </details>
      </td>
    </tr>
  );
}
