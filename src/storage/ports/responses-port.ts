/** Stored responses (the Responses API): the object as last materialized, its input, its run. */
import type { ResponseRecord } from '../../domain/response.ts';

export interface ResponseRepository {
  insert(record: ResponseRecord): Promise<void>;
  /** The record of a response of the project, or undefined. */
  find(projectId: string, id: string): Promise<ResponseRecord | undefined>;
  /**
   * The response of a run whose segment holds the run's events after `seq`: the one with the
   * greatest `after_seq` not above it (a run continued by tool outputs has one response per segment).
   */
  findByRun(runId: string, seq?: number): Promise<ResponseRecord | undefined>;
  /** Replaces the stored object (its status with it); false when the response no longer exists. */
  update(projectId: string, record: ResponseRecord): Promise<boolean>;
  delete(projectId: string, id: string): Promise<boolean>;
  /** How many responses share a run (a run is deleted with its last response). */
  countByRun(runId: string): Promise<number>;
}
