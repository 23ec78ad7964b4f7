import { useEffect, useRef, useState } from "react";
import { api, describeError, events, type AuditEntry, type FilePreview, type NotRotatable, type RotationPlan, type RotationReport, type RotationState, type StepProgress } from "../api";
import { ErrorBanner, formatDateTime } from "./common";
import { useNavigation } from "../navigation";

/** What to rotate: one credential, or every overdue one in one confirmed batch. */
export type RotateTarget = { kind: "one"; name: string } | { kind: "overdue" };

type Stage =
  | { stage: "planning" }
  | { stage: "plan-failed"; message: string }
  | { stage: "confirm"; plans: RotationPlan[]; notRotatable: NotRotatable[] }
  | { stage: "running"; plans: RotationPlan[] }
  | { stage: "done"; reports: RotationReport[] }
  | { stage: "failed"; message: string };

/** The forward path after `planned`, as the progress list shows it. */
const FORWARD: RotationState[] = ["created", "stored", "verified", "committed", "propagated", "revoked", "done"];

export const STEP_LABEL: Record<RotationState, string> = {
  planned: "Planned",
  created: "Create the new value",
  stored: "Keep it in the keychain as pending",
  verified: "Verify the new value",
  committed: "Make it current",
  propagated: "Update files",
  revoked: "Revoke the old value",
  done: "Done",
  "rolling-back": "Rolling back",
  "rolled-back": "Rolled back",
};

/**
 * The rotation flow in one modal: the plan to confirm (steps, endpoints that check the
 * new value, files to rewrite with a redacted diff and a way to skip each), progress
 * per journaled step, then the result with the audit entries the rotation wrote, or
 * the error and what was rolled back.
 */
export function RotateDialog({ target, onClose }: { target: RotateTarget; onClose: (changed: boolean) => void }) {
  const [stage, setStage] = useState<Stage>({ stage: "planning" });
  const [skipped, setSkipped] = useState<ReadonlySet<string>>(new Set());
  const [steps, setSteps] = useState<StepProgress[]>([]);
  const close = useRef<HTMLButtonElement>(null);
  const name = target.kind === "one" ? target.name : null;
  const title = name !== null ? `Rotate ${name}` : "Rotate all overdue";

  useEffect(() => {
    let current = true;
    const planned = name !== null ? api.planRotation(name).then((plan) => ({ plans: [plan], not_rotatable: [] as NotRotatable[] })) : api.planOverdueRotations();
    planned.then(
      (plan) => current && setStage({ stage: "confirm", plans: plan.plans, notRotatable: plan.not_rotatable }),
      (failure: unknown) => current && setStage({ stage: "plan-failed", message: describeError(failure) }),
    );
    return () => {
      current = false;
    };
  }, [name]);

  useEffect(() => close.current?.focus(), [stage.stage]);

  const running = stage.stage === "running";
  const finish = () => onClose(stage.stage === "done" || stage.stage === "failed");

  const run = async (plans: RotationPlan[]) => {
    setStage({ stage: "running", plans });
    setSteps([]);
    // Listen before starting, so the first step is not missed.
    const unlisten = await events.rotationProgress.listen((event) => setSteps((seen) => [...seen, event.payload.step]));
    try {
      const approval = { skip_files: [...skipped] };
      const reports =
        name !== null
          ? [await api.rotateCredential(name, approval)]
          : await api.rotateOverdue(
              plans.map((plan) => plan.credential),
              approval,
            );
      setStage({ stage: "done", reports });
    } catch (failure) {
      setStage({ stage: "failed", message: describeError(failure) });
    } finally {
      unlisten();
    }
  };

  const toggle = (path: string) =>
    setSkipped((current) => {
      const next = new Set(current);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  return (
    <div className="backdrop" onKeyDown={(event) => event.key === "Escape" && !running && finish()}>
      <div className="dialog rotate-dialog" role="dialog" aria-modal="true" aria-labelledby="rotate-title">
        <h2 id="rotate-title">{title}</h2>
        {stage.stage === "planning" && (
          <p className="muted" role="status">
            Planning…
          </p>
        )}
        {stage.stage === "plan-failed" && <ErrorBanner message={stage.message} />}
        {stage.stage === "confirm" && <Confirm plans={stage.plans} notRotatable={stage.notRotatable} skipped={skipped} onToggle={toggle} />}
        {stage.stage === "running" && <Progress plans={stage.plans} steps={steps} />}
        {stage.stage === "failed" && (
          <>
            <ErrorBanner message={stage.message} />
            <Progress plans={[]} steps={steps} />
          </>
        )}
        {stage.stage === "done" && <Results reports={stage.reports} onLeave={() => onClose(true)} />}
        <div className="actions">
          {stage.stage === "confirm" ? (
            <>
              <button ref={close} onClick={finish}>
                Cancel
              </button>
              <button className="primary" disabled={stage.plans.length === 0} onClick={() => void run(stage.plans)}>
                {stage.plans.length === 1 ? `Rotate ${stage.plans[0]?.credential ?? ""}` : `Rotate ${stage.plans.length} credentials`}
              </button>
            </>
          ) : (
            <button ref={close} disabled={running} onClick={finish}>
              {running ? "Rotating…" : "Close"}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

function Confirm({ plans, notRotatable, skipped, onToggle }: { plans: RotationPlan[]; notRotatable: NotRotatable[]; skipped: ReadonlySet<string>; onToggle: (path: string) => void }) {
  return (
    <div className="rotate-body" data-testid="rotation-plan">
      {plans.length === 0 && <p>No overdue credential can be rotated as it is set up.</p>}
      {plans.map((plan) => (
        <section key={plan.credential} aria-label={`Plan for ${plan.credential}`}>
          {plans.length > 1 && <h3>{plan.credential}</h3>}
          <p>
            With <strong>{plan.method}</strong>
            {plan.lifecycle === "roll" ? ": the provider replaces the value in place." : ": the new value is made next to the old one, which is revoked last."}
          </p>
          <ol className="rotation-steps">
            {plan.steps.map((step) => (
              <li key={step.state}>
                <strong>{STEP_LABEL[step.state]}</strong>: {step.description}
              </li>
            ))}
          </ol>
          {(plan.verify_endpoints ?? []).length > 0 && <p>Before it becomes current, the new value is checked at {(plan.verify_endpoints ?? []).join(", ")}.</p>}
          {plan.files.length > 0 && <Files files={plan.files} skipped={skipped} onToggle={onToggle} />}
          <p className="muted small">The replaced value stays in the keychain for {plan.grace_hours} hours.</p>
          {plan.warnings.length > 0 && (
            <ul className="rotate-warnings" aria-label={`Warnings for ${plan.credential}`}>
              {plan.warnings.map((warning) => (
                <li key={warning}>{warning}</li>
              ))}
            </ul>
          )}
        </section>
      ))}
      {notRotatable.length > 0 && (
        <>
          <h3>Not rotated</h3>
          <ul aria-label="Not rotatable">
            {notRotatable.map((item) => (
              <li key={item.credential}>
                <strong>{item.credential}</strong>: {item.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function Files({ files, skipped, onToggle }: { files: FilePreview[]; skipped: ReadonlySet<string>; onToggle: (path: string) => void }) {
  return (
    <ul className="rotate-files" aria-label="Files to update">
      {files.map((file) => (
        <li key={file.path}>
          <label className="check">
            <input type="checkbox" checked={!skipped.has(file.path)} disabled={file.changes.length === 0} onChange={() => onToggle(file.path)} aria-label={`Rewrite ${file.path}`} />
            <span className="mono">{file.path}</span>
            <span className="badge">{file.origin === "leak-scan" ? "found by leak scan" : "registered"}</span>
          </label>
          {file.problem && <span className="field-error">{file.problem}</span>}
          {file.changes.map((change) => (
            <pre key={change.line} className="diff small">
              {`${change.line} - ${change.before}\n${change.line} + ${change.after}`}
            </pre>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** Each credential's steps so far: done, the one under way, and any rollback. */
function Progress({ plans, steps }: { plans: RotationPlan[]; steps: StepProgress[] }) {
  const names = [...new Set([...plans.map((plan) => plan.credential), ...steps.map((step) => step.credential)])];
  return (
    <div className="rotate-body">
      {names.map((credential) => {
        const seen = steps.filter((step) => step.credential === credential);
        const reached = new Map(seen.map((step) => [step.state, step.message]));
        const rollback = seen.filter((step) => step.state === "rolling-back" || step.state === "rolled-back");
        const next = FORWARD.find((state) => !reached.has(state));
        return (
          <section key={credential}>
            {names.length > 1 && <h3>{credential}</h3>}
            <ol className="rotation-progress" aria-label={`Progress of ${credential}`}>
              {FORWARD.map((state) => {
                const status = reached.has(state) ? "done" : rollback.length === 0 && state === next ? "current" : "pending";
                return (
                  <li key={state} data-state={state} data-status={status} className={`step-${status}`}>
                    <span aria-hidden="true">{status === "done" ? "✓" : status === "current" ? "…" : "○"}</span> {STEP_LABEL[state]}
                    {reached.get(state) && <span className="muted small"> ({reached.get(state)})</span>}
                  </li>
                );
              })}
              {rollback.map((step) => (
                <li key={step.state} data-state={step.state} className="step-rollback">
                  <span aria-hidden="true">↺</span> {STEP_LABEL[step.state]}: {step.message}
                </li>
              ))}
            </ol>
          </section>
        );
      })}
    </div>
  );
}

/** A rotation audit entry's journal step and message (its detail is a JSON object). */
function entryFacts(entry: AuditEntry): { state: string; message: string } {
  try {
    const detail = JSON.parse(entry.detail) as { state?: string; message?: string; error?: string; fingerprint?: string };
    const fingerprint = detail.fingerprint ? `new value's fingerprint ${detail.fingerprint.slice(0, 12)}…` : "";
    return { state: detail.state ?? entry.action, message: detail.error ?? detail.message ?? fingerprint };
  } catch {
    return { state: entry.action, message: "" };
  }
}

function Results({ reports, onLeave }: { reports: RotationReport[]; onLeave: () => void }) {
  const { go } = useNavigation();
  return (
    <div className="rotate-body" data-testid="rotation-result">
      {reports.map((report) => {
        const rolledBack = report.audit.some((entry) => entryFacts(entry).state === "rolled-back");
        return (
          <section key={report.credential} aria-label={`Result for ${report.credential}`}>
            {report.outcome && report.error === null ? (
              <p className="notice" role="status">
                {report.credential} rotated (rotation #{report.outcome.rotation_id}). The new value is current.
              </p>
            ) : (
              <>
                <p className="error" role="alert">
                  {report.error}
                </p>
                <p>
                  {rolledBack
                    ? "Rolled back: the old value is still current, no file was touched, and a new key made at the provider was revoked."
                    : report.rotation_id === null
                      ? "Nothing was changed."
                      : "The rotation did not finish after the new value became current; Keyward resumes it at its next start."}
                </p>
              </>
            )}
            {report.outcome && report.outcome.files_updated.length > 0 && (
              <p>
                Updated: <span className="mono">{report.outcome.files_updated.join(", ")}</span>
              </p>
            )}
            {report.outcome?.warnings.map((warning) => (
              <p key={warning} className="field-error">
                {warning}
              </p>
            ))}
            {report.audit.length > 0 && (
              <table className="plain small" aria-label={`Audit entries of ${report.credential}`}>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>When</th>
                    <th>Step</th>
                    <th>Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {report.audit.map((entry) => {
                    const facts = entryFacts(entry);
                    return (
                      <tr key={entry.seq}>
                        <td>{entry.seq}</td>
                        <td>{formatDateTime(entry.at)}</td>
                        <td>{facts.state}</td>
                        <td>{facts.message}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
            <button
              className="link"
              onClick={() => {
                onLeave();
                go({ screen: "audit", filter: report.credential, action: "credential.rotate" });
              }}
            >
              Open in the audit log
            </button>
          </section>
        );
      })}
    </div>
  );
}
