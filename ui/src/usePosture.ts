// Posture events from the backend: probes report progress per endpoint and announce
// stored results, so every view of posture can follow without polling.
import { useEffect, useState } from "react";
import { events, type PostureProgress, type ProbeScope } from "./api";

/** A number that goes up whenever new probe results are stored (any scope). */
export function usePostureEpoch(): number {
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    const pending = events.postureChanged.listen(() => setEpoch((value) => value + 1));
    return () => {
      void pending.then((unlisten) => unlisten());
    };
  }, []);
  return epoch;
}

/** Calls `onProgress` for each endpoint finished by a probe run of `scope`. */
export function usePostureProgress(scope: ProbeScope, onProgress: (progress: PostureProgress) => void): void {
  useEffect(() => {
    const pending = events.postureProgress.listen((event) => {
      if (event.payload.scope === scope) onProgress(event.payload);
    });
    return () => {
      void pending.then((unlisten) => unlisten());
    };
  }, [scope, onProgress]);
}
