import { describe, expect, it } from 'vitest';
import { isConnectionLoss, isSafeToRepeat } from './connection-loss.ts';

/** The shapes node-postgres 8 gives: a server `DatabaseError`, a socket error, a bare `Error`. */
const terminatedByAdmin = Object.assign(
  new Error('terminating connection due to administrator command'),
  { code: '57P01', severity: 'FATAL' },
);
const crashed = Object.assign(new Error('terminating connection because of crash'), {
  code: '57P02',
});
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
  code: 'ECONNREFUSED',
});
const closedUnexpectedly = new Error('Connection terminated unexpectedly');
const notQueryable = new Error('Client has encountered a connection error and is not queryable');

describe('connection loss', () => {
  it('tells a lost connection from a failed statement', () => {
    for (const error of [
      terminatedByAdmin,
      crashed,
      reset,
      refused,
      closedUnexpectedly,
      notQueryable,
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new Error('Connection terminated due to connection timeout'),
    ])
      expect(isConnectionLoss(error), error.message).toBe(true);
    for (const error of [
      Object.assign(new Error('duplicate key value'), { code: '23505' }),
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      Object.assign(new Error('could not serialize access'), { code: '40001' }),
      new Error('Cannot use a pool after calling end on the pool'),
      'Connection terminated',
      undefined,
    ])
      expect(isConnectionLoss(error), String(error)).toBe(false);
  });

  it('repeats a write only when it cannot have run, and a begin or a select always', () => {
    const insert = 'insert into "threads" ("id") values ($1)';
    expect(isSafeToRepeat(notQueryable, insert)).toBe(true);
    expect(isSafeToRepeat(terminatedByAdmin, insert)).toBe(true);
    for (const error of [closedUnexpectedly, reset, crashed]) {
      expect(isSafeToRepeat(error, insert)).toBe(false);
      expect(isSafeToRepeat(error, 'with moved as (update runs set x = 1) select 1')).toBe(false);
      expect(isSafeToRepeat(error, 'begin')).toBe(true);
      expect(isSafeToRepeat(error, 'start transaction isolation level serializable')).toBe(true);
      expect(isSafeToRepeat(error, 'select "id" from "threads" where "id" = $1')).toBe(true);
    }
  });
});
