// "Probe all": probes every endpoint in the inventory, showing which one finished last
// and its grade, then what the run found. The backend probes on a worker thread, so the
// rest of the window stays usable meanwhile.
import { useCallback, useState } from "react";
import { api, describeError, type PostureProgress, type ProbeRun } from "../api";
import { usePostureProgress } from "../usePosture";
import { ErrorBanner } from "./common";

function outcomeText(run: ProbeRun): string {
  if (run.probed === 0) return "Nothing to probe: no integration has endpoints yet.";
  const parts = [`Probed ${run.probed} endpoint${run.probed === 1 ? "" : "s"}`];
  if (run.failed > 0) parts.push(`${run.failed} could not be probed`);
  parts.push(run.regressions === 0 ? "no regressions" : `${run.regressions} got worse`);
  return parts.join("; ") + ".";
}

export function ProbeAll() {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<PostureProgress | null>(null);
  const [outcome, setOutcome] = useState<ProbeRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onProgress = useCallback((next: PostureProgress) => setProgress(next), []);
  usePostureProgress("all", onProgress);

  const run = async () => {
    setRunning(true);
    setProgress(null);
    setOutcome(null);
    setError(null);
    try {
      setOutcome(await api.probeAll());
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="probe-all">
      <button onClick={() => void run()} disabled={running}>
        {running ? "Probing all…" : "Probe all"}
      </button>
      {running && (
        <span role="status" data-testid="probe-all-progress">
          {progress === null ? (
            "Starting…"
          ) : (
            <>
              <progress max={progress.total} value={progress.done} /> {progress.done} of {progress.total} endpoints; {progress.integration ?? progress.target}: {progress.grade ?? "could not be probed"}
            </>
          )}
        </span>
      )}
      {outcome && !running && (
        <span role="status" data-testid="probe-all-outcome">
          {outcomeText(outcome)}
        </span>
      )}
      <ErrorBanner message={error} />
    </div>
  );
}
