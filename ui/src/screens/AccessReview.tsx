// The access review of this workstation's credentials: the last decision on each, and
// keep / rotate / revoke with a note. Decisions are recorded by the library (audited)
// and travel in the next bundle and signed attestation.
import { useEffect, useMemo, useRef, useState } from "react";
import { api, describeError, type ReviewDecision } from "../api";
import { ErrorBanner, Loaded, formatDate } from "../components/common";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

const DECISIONS: { value: string; label: string }[] = [
  { value: "keep", label: "Keep" },
  { value: "rotate", label: "Rotate" },
  { value: "revoke", label: "Revoke" },
];

/** The latest decision on each credential, by name. */
export function latestDecisions(decisions: ReviewDecision[]): Map<string, ReviewDecision> {
  const latest = new Map<string, ReviewDecision>();
  for (const decision of decisions) {
    if (decision.subject_kind !== "credential") continue;
    const known = latest.get(decision.subject);
    if (!known || known.reviewed_at <= decision.reviewed_at) latest.set(decision.subject, decision);
  }
  return latest;
}

export function AccessReview({ focus }: { focus?: string | undefined }) {
  const { revision } = useNavigation();
  const load = useLoad(() => Promise.all([api.credentials(), api.reviewDecisions()]), [revision]);
  return (
    <section aria-labelledby="access-review-title">
      <h2 id="access-review-title">Access review</h2>
      <p className="muted">Decide for each credential on this workstation whether it stays, is rotated or is revoked.</p>
      <Loaded load={load}>{([credentials, decisions]) => <ReviewList names={credentials.map((credential) => credential.name)} decisions={decisions} focus={focus} />}</Loaded>
    </section>
  );
}

function ReviewList({ names, decisions, focus }: { names: string[]; decisions: ReviewDecision[]; focus: string | undefined }) {
  const { changed } = useNavigation();
  const latest = useMemo(() => latestDecisions(decisions), [decisions]);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const focused = useRef<HTMLTableRowElement>(null);

  useEffect(() => {
    focused.current?.scrollIntoView?.({ block: "center" });
    focused.current?.querySelector("input")?.focus();
  }, [focus]);

  const decide = async (name: string, decision: string) => {
    setError(null);
    try {
      await api.recordReview("credential", name, decision, notes[name]?.trim() || null);
      setNotes({ ...notes, [name]: "" });
      changed();
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  if (names.length === 0) return <p className="muted">No credentials on this workstation.</p>;
  return (
    <>
      <ErrorBanner message={error} />
      <table className="plain" aria-label="Access review">
        <thead>
          <tr>
            <th>Credential</th>
            <th>Last decision</th>
            <th>Note</th>
            <th>Decide</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const last = latest.get(name);
            return (
              <tr key={name} ref={name === focus ? focused : undefined} className={name === focus ? "focused" : undefined} data-testid={`review-${name}`}>
                <td>{name}</td>
                <td>{last ? `${last.decision} by ${last.reviewer}, ${formatDate(last.reviewed_at)}${last.note ? ` (${last.note})` : ""}` : <span className="muted">never reviewed</span>}</td>
                <td>
                  <input aria-label={`Note for ${name}`} value={notes[name] ?? ""} onChange={(event) => setNotes({ ...notes, [name]: event.target.value })} />
                </td>
                <td className="actions">
                  {DECISIONS.map((decision) => (
                    <button key={decision.value} type="button" aria-label={`${decision.label} ${name}`} onClick={() => void decide(name, decision.value)}>
                      {decision.label}
                    </button>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
