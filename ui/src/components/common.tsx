import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from "react";
import type { Load } from "../useLoad";

/** Renders a load's value, or its spinner or error. */
export function Loaded<T>({ load, children }: { load: Load<T>; children: (value: T) => ReactNode }) {
  if (load.state === "loading") return <p className="muted" role="status">Loading…</p>;
  if (load.state === "error") return <ErrorBanner message={load.message} />;
  return <>{children(load.value)}</>;
}

export function ErrorBanner({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

/**
 * A labelled form control. The label names the control alone; hint and error are tied
 * to it with aria-describedby so screen readers read them after the name.
 */
export function Field({ label, hint, error, children }: { label: string; hint?: string; error?: string | undefined; children: ReactElement<Record<string, unknown>> }) {
  const id = useId();
  const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const control = isValidElement(children) ? cloneElement(children, { id, "aria-describedby": described, "aria-invalid": error ? true : undefined }) : children;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {control}
      {hint && !error && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().slice(0, 10);
}

export function formatDateTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

/** Splits "a.example.com, b.example.com" or one-per-line text into hosts. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** `""` as `null`, for optional text fields. */
export function optional(text: string): string | null {
  const trimmed = text.trim();
  return trimmed.length > 0 ? trimmed : null;
}
