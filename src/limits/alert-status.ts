/**
 * An alert's life: open → acknowledged (someone is looking) → resolved (with a note of what was found). A step
 * already taken is taken again harmlessly; nothing moves a resolved alert.
 */
import { refuse, type Refusal } from "../lib/refusal";

export type AlertStatus = "open" | "acknowledged" | "resolved";
export type AlertStep = "acknowledge" | "resolve";

export type StepDecision = { kind: "move"; to: AlertStatus } | { kind: "unchanged" } | { kind: "refuse"; refusal: Refusal };

export function decideAlertStep(status: AlertStatus, step: AlertStep): StepDecision {
  if (status === "resolved") {
    return step === "resolve"
      ? { kind: "unchanged" }
      : { kind: "refuse", refusal: refuse("alert_resolved", "This alert is resolved already") };
  }
  if (step === "acknowledge") return status === "open" ? { kind: "move", to: "acknowledged" } : { kind: "unchanged" };
  return { kind: "move", to: "resolved" };
}
