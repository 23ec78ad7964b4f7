import { useEffect, useState } from "react";
import { describeError } from "./api";

export type Load<T> = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; value: T };

/** Runs `load` whenever `deps` change and keeps the latest outcome. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Load<T> {
  const [outcome, setOutcome] = useState<Load<T>>({ state: "loading" });
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setOutcome({ state: "ready", value }),
      (error: unknown) => current && setOutcome({ state: "error", message: describeError(error) }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return outcome;
}
