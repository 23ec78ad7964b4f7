import type { Grade } from "../api";

/** The CSS class for a grade: A+ and A are good, B fair, C and below poor. */
function gradeClass(grade: Grade): string {
  if (grade === "A+" || grade === "A") return "grade grade-good";
  if (grade === "B") return "grade grade-fair";
  return "grade grade-poor";
}

/** A posture grade, or a dash when there is none (never probed, or the probe failed). */
export function GradeBadge({ grade, label }: { grade: Grade | null; label?: string }) {
  const name = label ?? "Grade";
  if (grade === null) {
    return (
      <span className="grade grade-none" aria-label={`${name}: none`}>
        —
      </span>
    );
  }
  return (
    <span className={gradeClass(grade)} aria-label={`${name}: ${grade}`}>
      {grade}
    </span>
  );
}
