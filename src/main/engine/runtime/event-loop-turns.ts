/** how long a search may go without the event loop turning (Cancel is received when it does) */
const TURN_EVERY_MS = 20;
/** a turn this recent needs no new marker yet: short passes do not each queue one */
const MARK_AFTER_MS = 2;

/**
 * A search is a chain of promises: a Cancel message from the host is received only when the event loop turns.
 * onnxruntime-node 1.30 turns it once per pass (its run starts from a setImmediate), and so does a batcher; a
 * decoder that answers at once would not. Before a pass, `beforePass` queues a marker that the next turn runs
 * (unless the loop turned under 2 ms ago), and has the pass yield first when the marker is still pending 20 ms
 * after the last turn: Cancel arrives between passes whatever the decoder, and a decoder that turns the loop pays
 * no second turn per pass.
 */
export class EventLoopTurns {
  /** when the event loop last ran */
  private lastTurn = performance.now();
  /** a marker is queued and has not run: the event loop has not turned since */
  private turnPending = false;

  /** Yields (a promise to await) only when the loop has not turned for 20 ms; otherwise marks the next turn. */
  beforePass(): Promise<void> | undefined {
    const sinceTurn = performance.now() - this.lastTurn;
    if (this.turnPending && sinceTurn >= TURN_EVERY_MS) {
      // the pending marker runs first in this turn, so the pass that follows gets a marker of its own
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          this.markNextTurn();
          resolve();
        }),
      );
    }
    if (sinceTurn >= MARK_AFTER_MS) this.markNextTurn();
    return undefined;
  }

  private markNextTurn(): void {
    if (this.turnPending) return;
    this.turnPending = true;
    setImmediate(() => {
      this.turnPending = false;
      this.lastTurn = performance.now();
    });
  }
}
