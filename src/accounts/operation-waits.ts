/** Long polls (`GET /v1/operations/{id}?wait=`): the cashiers waiting for an operation to change, woken after a commit. */
export class OperationWaits {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves when the operation next changes, or after `ms`. */
  changeOf(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, waiting);
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiting.add(wake);
    });
  }

  /** Wakes whoever waits for these operations (they changed in a transaction that committed). */
  wake(operationIds: Iterable<string>): void {
    for (const id of operationIds) {
      const waiting = this.waiters.get(id);
      if (!waiting) continue;
      this.waiters.delete(id);
      for (const wake of waiting) wake();
    }
  }
}
