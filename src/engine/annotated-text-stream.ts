/**
 * The text of an assistant message as it streams, with its annotations in the deltas (as OpenAI sends
 * them): each `file_citation` or `file_path` annotation goes out in the delta whose text completes its
 * marker or link, numbered by its place in the message. A marker that may still be completing (a
 * `【3†` or a `sandbox:/mnt/da` at the end) is held back until it completes or cannot, so a client that
 * adds up the deltas gets exactly the stored text and annotations: the stored message takes both from
 * here.
 */
import type { Annotation } from '../domain/message.ts';
import { findMarkers, OPEN_CITATION, type Marker, type RunSources } from './message-annotations.ts';

/** An annotation as a delta carries it: with its index in the message's annotations. */
export type DeltaAnnotation = Annotation & { index: number };

/** What one `thread.message.delta` adds to the text part. */
export interface TextDeltaPart {
  value: string;
  annotations: DeltaAnnotation[];
  /** The first text of the message (its delta announces the annotations list). */
  first: boolean;
}

const LINK_PREFIX = 'sandbox:/mnt/data/';

export class AnnotatedTextStream {
  /** Everything the model wrote so far. */
  text = '';
  /** The annotations sent so far, in the message's order. */
  readonly annotations: Annotation[] = [];
  /** The text not sent yet; only it is scanned, so a delta costs what it adds, not the message. */
  private pending = '';
  /** How much of `text` went out. */
  private sent = 0;

  constructor(private readonly sources: RunSources) {}

  /** Adds model text; returns what may go out now, or undefined when it is all held back. */
  push(fragment: string): TextDeltaPart | undefined {
    this.text += fragment;
    this.pending += fragment;
    return this.release(false);
  }

  /** The text has ended: returns what was held back, or undefined when nothing was. */
  end(): TextDeltaPart | undefined {
    return this.release(true);
  }

  private release(final: boolean): TextDeltaPart | undefined {
    const markers = findMarkers(this.pending, this.sources, this.sent);
    const until = final ? this.pending.length : this.safeEnd(markers);
    if (until <= 0) return undefined;
    const value = this.pending.slice(0, until);
    const first = this.sent === 0;
    this.pending = this.pending.slice(until);
    this.sent += until;
    const annotations: DeltaAnnotation[] = [];
    for (const marker of markers) {
      if (marker.start >= this.sent || !marker.annotation) continue;
      annotations.push({ index: this.annotations.length, ...marker.annotation });
      this.annotations.push(marker.annotation);
    }
    return { value, annotations, first };
  }

  /**
   * How much of the pending text cannot change its annotations any more: what comes before a marker
   * or link that may still be completing, never cutting a complete one.
   */
  private safeEnd(markers: Marker[]): number {
    const text = this.pending;
    // Marker positions count from the start of the message.
    const starts = (marker: Marker) => marker.start - this.sent;
    const ends = (marker: Marker) => marker.end - this.sent;
    let end = text.length;
    // A link ends where its text stops; one that reaches the end may go on.
    for (const marker of markers)
      if (marker.kind === 'path' && ends(marker) === text.length)
        end = Math.min(end, starts(marker));
    for (let length = Math.min(LINK_PREFIX.length, text.length); length > 0; length--) {
      if (text.endsWith(LINK_PREFIX.slice(0, length))) {
        end = Math.min(end, text.length - length);
        break;
      }
    }
    // An open marker starts after the last `】`.
    for (let open = text.indexOf('【', text.lastIndexOf('】') + 1); open !== -1;) {
      if (OPEN_CITATION.test(text.slice(open))) {
        end = Math.min(end, open);
        break;
      }
      open = text.indexOf('【', open + 1);
    }
    // Never cut a complete marker: it goes out whole, with the delta that ends it.
    for (let moved = true; moved;) {
      moved = false;
      for (const marker of markers) {
        if (starts(marker) < end && ends(marker) > end) {
          end = starts(marker);
          moved = true;
        }
      }
    }
    return end;
  }
}
