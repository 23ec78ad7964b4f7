// The access review of this workstation's credentials and integrations: the last
// decision on each, and keep / rotate / revoke with a note. Decisions are recorded by the library (audited)
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

type SubjectKind = "credential" | "integration";

/** The latest decision on each credential (or integration), by name. */
export function latestDecisions(decisions: ReviewDecision[], kind: SubjectKind = "credential"): Map<string, ReviewDecision> {
  const latest = new Map<string, ReviewDecision>();
  for (const decision of decisions) {
    if (decision.subject_kind !== kind) continue;
    const known = latest.get(decision.subject);
    if (!known || known.reviewed_at <= decision.reviewed_at) latest.set(decision.subject, decision);
  }
  return latest;
}

export function AccessReview({ focus }: { focus?: string | undefined }) {
  const { revision } = useNavigation();
  const load = useLoad(() => Promise.all([api.credentials(), api.integrations(), api.reviewDecisions()]), [revision]);
  return (
    <section aria-labelledby="access-review-title">
      <h2 id="access-review-title">Access review</h2>
      <p className="muted">Decide for each credential and integration on this workstation whether it stays, is rotated or is revoked.</p>
      <Loaded load={load}>
        {([credentials, integrations, decisions]) => (
          <>
            <ReviewList kind="credential" names={credentials.map((credential) => credential.name)} decisions={decisions} focus={focus} />
            <ReviewList kind="integration" names={integrations.map((integration) => integration.name)} decisions={decisions} focus={undefined} />
          </>
        )}
      </Loaded>
    </section>
  );
}

/**
 * Accessible names: credentials keep the short form ("Keep github-ci"), which the
 * dashboard's Review fix leads to; integrations say so ("Keep integration github"),
 * since a credential and an integration may share a name.
 */
function subjectLabel(kind: SubjectKind, name: string): string {
  return kind === "credential" ? name : `integration ${name}`;
}

function ReviewList({ kind, names, decisions, focus }: { kind: SubjectKind; names: string[]; decisions: ReviewDecision[]; focus: string | undefined }) {
  const { changed } = useNavigation();
  const latest = useMemo(() => latestDecisions(decisions, kind), [decisions, kind]);
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
      await api.recordReview(kind, name, decision, notes[name]?.trim() || null);
      setNotes({ ...notes, [name]: "" });
      changed();
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const plural = kind === "credential" ? "Credentials" : "Integrations";
  if (names.length === 0) return <p className="muted">No {plural.toLowerCase()} on this workstation.</p>;
  return (
    <>
      <h3>{plural}</h3>
      <ErrorBanner message={error} />
      <table className="plain" aria-label={kind === "credential" ? "Access review" : "Access review of integrations"}>
        <thead>
          <tr>
            <th>{kind === "credential" ? "Credential" : "Integration"}</th>
            <th>Last decision</th>
            <th>Note</th>
            <th>Decide</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const last = latest.get(name);
            return (
              <tr key={name} ref={name === focus ? focused : undefined} className={name === focus ? "focused" : undefined} data-testid={kind === "credential" ? `review-${name}` : `review-integration-${name}`}>
                <td>{name}</td>
                <td>{last ? `${last.decision} by ${last.reviewer}, ${formatDate(last.reviewed_at)}${last.note ? ` (${last.note})` : ""}` : <span className="muted">never reviewed</span>}</td>
                <td>
                  <input aria-label={`Note for ${subjectLabel(kind, name)}`} value={notes[name] ?? ""} onChange={(event) => setNotes({ ...notes, [name]: event.target.value })} />
                </td>
                <td className="actions">
                  {DECISIONS.map((decision) => (
                    <button key={decision.value} type="button" aria-label={`${decision.label} ${subjectLabel(kind, name)}`} onClick={() => void decide(name, decision.value)}>
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
