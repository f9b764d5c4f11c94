/**
 * Stores run events for every run a worker executes, one multi-row insert per turn of the event loop:
 * under many concurrent streams, writing token deltas run by run would cost one statement per delta.
 * Each caller's events are published once the batch holding them is stored (on PostgreSQL the
 * insert's round trip carries their notifications too, see `Announcement`). If a batch fails (a run's
 * seq was taken, or the worker no longer holds it: that run lost its lease), the runs are retried one
 * by one, so only the run at fault fails.
 */
import type { RunEvent } from '../domain/run-event.ts';
import type { RunEventRepository } from '../storage/ports/runs-port.ts';
import type { EventBus } from './event-bus.ts';

interface Pending {
  events: RunEvent[];
  resolve(): void;
  reject(error: unknown): void;
}

export class EventSink {
  private queue: Pending[] = [];
  private scheduled = false;

  /**
   * `workerId`: the worker whose runs' events this sink stores; they are stored only while it holds
   * their runs (checked in the insert), so a worker that froze past its lease while another took a
   * run over stores none of that run's events on waking.
   */
  constructor(
    private readonly events: RunEventRepository,
    private readonly bus: EventBus,
    private readonly workerId?: string,
  ) {}

  /** Resolves when `events` are stored and published. */
  append(events: RunEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    try {
      const events: RunEvent[] = [];
      for (const entry of batch) for (const event of entry.events) events.push(event);
      // On PostgreSQL the insert's round trip also carries the notifications, after its commit.
      const announcement = this.bus.announcement?.(events);
      await this.events.append(events, announcement, this.workerId);
      this.bus.publish(events, announcement);
      for (const entry of batch) entry.resolve();
    } catch {
      for (const entry of batch) {
        try {
          await this.events.append(entry.events, undefined, this.workerId);
          this.bus.publish(entry.events);
          entry.resolve();
        } catch (error) {
          entry.reject(error);
        }
      }
    }
  }
}
