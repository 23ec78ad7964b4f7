import { useEffect, useRef } from "react";

const ACTIVITY = ["mousemove", "mousedown", "keydown", "wheel", "touchstart"] as const;

/** Calls `onIdle` once after `minutes` without input (0: never). */
export function useIdleLock(minutes: number, onIdle: () => void) {
  const callback = useRef(onIdle);
  callback.current = onIdle;
  useEffect(() => {
    if (minutes <= 0) return;
    let timer = window.setTimeout(() => callback.current(), minutes * 60_000);
    const reset = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => callback.current(), minutes * 60_000);
    };
    ACTIVITY.forEach((name) => window.addEventListener(name, reset, { passive: true }));
    return () => {
      window.clearTimeout(timer);
      ACTIVITY.forEach((name) => window.removeEventListener(name, reset));
    };
  }, [minutes]);
}
