// The posture of one integration: its grade, each endpoint's findings by severity with
// what was seen and how to fix it, the certificate, the grade over time, and "Probe now".
import { useCallback, useState } from "react";
import { api, describeError, type CertificateReport, type EndpointPosture, type ExplainedFinding, type IntegrationPosture, type PostureProgress, type ProbeRecord, type Regression, type Severity } from "../api";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";
import { usePostureEpoch, usePostureProgress } from "../usePosture";
import { ErrorBanner, Loaded, formatDate, formatDateTime } from "./common";
import { GradeBadge } from "./GradeBadge";

const SEVERITIES: { severity: Severity; label: string }[] = [
  { severity: "critical", label: "Critical" },
  { severity: "high", label: "High" },
  { severity: "medium", label: "Medium" },
  { severity: "low", label: "Low" },
  { severity: "info", label: "Info" },
];

/** "grade B → C; new: http.hsts.missing" */
export function regressionText(regression: Regression): string {
  const parts: string[] = [];
  if (regression.previous_grade !== null && regression.grade !== null && regression.previous_grade !== regression.grade) {
    parts.push(`grade ${regression.previous_grade} → ${regression.grade}`);
  }
  if (regression.new_findings.length > 0) parts.push(`new: ${regression.new_findings.map((finding) => finding.id).join(", ")}`);
  return parts.join("; ");
}

export function PosturePanel({ name }: { name: string }) {
  const { revision } = useNavigation();
  const epoch = usePostureEpoch();
  const [reload, setReload] = useState(0);
  const load = useLoad(() => Promise.all([api.posture(name), api.probeHistory(name)]), [name, revision, epoch, reload]);
  // "starting" until the first endpoint finishes; then the latest progress.
  const [probing, setProbing] = useState<PostureProgress | "starting" | null>(null);
  const [error, setError] = useState<string | null>(null);

  const onProgress = useCallback(
    (progress: PostureProgress) => {
      if (progress.integration === name) setProbing((current) => (current === null ? null : progress));
    },
    [name],
  );
  usePostureProgress("integration", onProgress);

  const probeNow = async () => {
    setError(null);
    setProbing("starting");
    try {
      await api.probeIntegration(name);
      setReload((value) => value + 1);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setProbing(null);
    }
  };

  return (
    <section className="posture" aria-labelledby="posture-title">
      <div className="screen-head">
        <h2 id="posture-title">Posture</h2>
        <div className="actions">
          <button className="primary" onClick={() => void probeNow()} disabled={probing !== null}>
            {probing === null ? "Probe now" : "Probing…"}
          </button>
        </div>
      </div>
      {probing !== null && (
        <p role="status" className="probe-progress" data-testid="probe-progress">
          {probing === "starting" ? (
            <>Probing the endpoints of {name}…</>
          ) : (
            <>
              <progress max={probing.total} value={probing.done} /> {probing.done} of {probing.total} endpoints probed; {probing.target}: {probing.grade ?? "could not be probed"}
            </>
          )}
        </p>
      )}
      <ErrorBanner message={error} />
      <Loaded load={load}>{([posture, history]) => <PostureBody posture={posture} history={history} />}</Loaded>
    </section>
  );
}

function PostureBody({ posture, history }: { posture: IntegrationPosture; history: ProbeRecord[] }) {
  return (
    <>
      <div className="posture-summary">
        <GradeBadge grade={posture.grade} label="Overall grade" />
        <span className="muted">
          {posture.probed_at === null ? "Not probed yet: “Probe now” checks TLS, certificate, headers and authentication of every endpoint." : `Worst grade of its endpoints; probed ${formatDateTime(posture.probed_at)}`}
        </span>
      </div>
      {posture.endpoints.map((endpoint) => (
        <EndpointView key={endpoint.target} endpoint={endpoint} />
      ))}
      <History history={history} />
    </>
  );
}

function EndpointView({ endpoint }: { endpoint: EndpointPosture }) {
  const report = endpoint.report;
  return (
    <article className="posture-endpoint" aria-label={`Posture of ${endpoint.target}`}>
      <h3>
        <GradeBadge grade={report?.grade ?? null} label={`Grade of ${endpoint.target}`} /> {endpoint.target}
      </h3>
      {report === null ? (
        <p className="muted">Not probed yet.</p>
      ) : (
        <>
          <p className="muted small">
            Probed {formatDateTime(report.probed_at)} in {report.duration_ms} ms
          </p>
          {report.error !== null && <p className="error">Could not be probed: {report.error}</p>}
          {report.notes.map((note) => (
            <p key={note} className="muted small">
              {note}
            </p>
          ))}
          {report.tls && (
            <dl className="facts">
              <dt>Protocols accepted</dt>
              <dd>{report.tls.protocols.filter((protocol) => protocol.accepted).map((protocol) => protocol.protocol).join(", ") || "—"}</dd>
              <dt>Negotiated</dt>
              <dd>{[report.tls.negotiated_protocol, report.tls.negotiated_cipher_suite].filter(Boolean).join(" · ") || "—"}</dd>
              {report.tls.certificate && <CertificateFacts certificate={report.tls.certificate} />}
            </dl>
          )}
          {report.error === null && <Findings target={endpoint.target} findings={endpoint.findings} />}
        </>
      )}
    </article>
  );
}

function CertificateFacts({ certificate }: { certificate: CertificateReport }) {
  return (
    <>
      <dt>Certificate subject</dt>
      <dd>{certificate.subject}</dd>
      <dt>Issuer</dt>
      <dd>{certificate.issuer}</dd>
      <dt>Names</dt>
      <dd>{certificate.subject_alt_names.join(", ") || "—"}</dd>
      <dt>Valid</dt>
      <dd>
        {formatDate(certificate.not_before)} to {formatDate(certificate.not_after)}
      </dd>
      <dt>Key · signature</dt>
      <dd>
        {certificate.key} · {certificate.signature_algorithm}
      </dd>
      <dt>Chain</dt>
      <dd>
        {certificate.chain_length} certificate{certificate.chain_length === 1 ? "" : "s"}, {certificate.trusted ? "trusted" : "not trusted"}
      </dd>
      <dt>SHA-256</dt>
      <dd className="small mono">{certificate.sha256_fingerprint}</dd>
    </>
  );
}

function Findings({ target, findings }: { target: string; findings: ExplainedFinding[] }) {
  if (findings.length === 0) return <p className="notice">No findings.</p>;
  return (
    <>
      {SEVERITIES.map(({ severity, label }) => {
        const group = findings.filter((finding) => finding.severity === severity);
        if (group.length === 0) return null;
        return (
          <div key={severity} className="finding-group">
            <h4>
              {label} ({group.length})
            </h4>
            <ul className="findings" aria-label={`${label} findings for ${target}`}>
              {group.map((finding) => (
                <li key={`${finding.id}:${finding.evidence}`} className="finding" data-finding={finding.id}>
                  <div className="finding-head">
                    <span className={`badge severity-${finding.severity}`}>{label}</span> <code>{finding.id}</code>
                    {finding.caps !== null && <span className="muted small"> caps the grade at {finding.caps}</span>}
                  </div>
                  <p className="finding-message">{finding.message}</p>
                  {finding.evidence && <p className="muted small">Seen: {finding.evidence}</p>}
                  {finding.fix && (
                    <p className="finding-fix">
                      <strong>How to fix:</strong> {finding.fix}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </>
  );
}

function History({ history }: { history: ProbeRecord[] }) {
  if (history.length === 0) return null;
  // Oldest first for the trail, which reads left to right like a timeline.
  const trail = [...history].reverse();
  return (
    <>
      <h3>History</h3>
      <ol className="grade-trail" aria-label="Grade over time">
        {trail.map((record, index) => (
          <li key={`${record.report.target}:${record.report.probed_at}:${index}`} title={`${formatDateTime(record.report.probed_at)} · ${record.report.target}`}>
            <GradeBadge grade={record.report.grade} label={formatDateTime(record.report.probed_at)} />
          </li>
        ))}
      </ol>
      <table className="plain" aria-label="Probe history">
        <thead>
          <tr>
            <th>When</th>
            <th>Endpoint</th>
            <th>Grade</th>
            <th>Findings</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {history.map((record, index) => (
            <tr key={`${record.report.target}:${record.report.probed_at}:${index}`} className={record.regression ? "regressed" : undefined}>
              <td>{formatDateTime(record.report.probed_at)}</td>
              <td>{record.report.target}</td>
              <td>{record.report.grade ?? "—"}</td>
              <td>{record.report.error === null ? record.report.findings.length : "—"}</td>
              <td>{record.report.error !== null ? <span className="muted">could not be probed: {record.report.error}</span> : record.regression ? <strong>Worse: {regressionText(record.regression)}</strong> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
