/**
 * What an operation needs before it may be confirmed: the member's approval (MobiSecure) for the methods the tenant
 * names, an SMS code for points at stores that ask for one, or both. Pure functions over plain data.
 */
import { METHODS, type Amounts, type Authorization, type OperationRecord } from "./operation";

export type Step = "approval" | "sms_code";
export type StepStatus = "required" | "pending" | "approved" | "rejected" | "verified";
export type AuthorizationSteps = Partial<Record<Step, StepStatus>>;

const ORDER: Step[] = ["approval", "sms_code"];
const DONE = new Set<StepStatus>(["approved", "verified"]);

export function requiredSteps(
  holds: Amounts,
  policy: { approval_required_for: readonly string[]; sms_confirm_points_deduction: boolean },
): AuthorizationSteps {
  const steps: AuthorizationSteps = {};
  if (METHODS.some((m) => (holds[m] ?? 0) > 0 && policy.approval_required_for.includes(m))) steps.approval = "required";
  if (policy.sms_confirm_points_deduction && (holds.points ?? 0) > 0) steps.sms_code = "required";
  return steps;
}

/**
 * The public `authorization`: the first step not yet done (approval before the SMS code), or the last step once all
 * are done. With both steps, `steps` shows each one.
 */
export function describeAuthorization(steps: AuthorizationSteps): Authorization {
  const present = ORDER.filter((step) => steps[step] !== undefined);
  if (present.length === 0) return { method: "none", status: "not_required" };
  const current = present.find((step) => !DONE.has(steps[step]!)) ?? present[present.length - 1];
  return {
    method: current,
    status: steps[current]!,
    ...(present.length > 1 ? { steps: Object.fromEntries(present.map((step) => [step, steps[step]!])) } : {}),
  };
}

export function isStepDone(status: StepStatus | undefined): boolean {
  return status !== undefined && DONE.has(status);
}

/** Moves one step of a record and keeps its public `authorization` in line. */
export function setStep(record: OperationRecord, step: Step, status: StepStatus): void {
  record.steps = { ...record.steps, [step]: status };
  record.operation.authorization = describeAuthorization(record.steps);
}
