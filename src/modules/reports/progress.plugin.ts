// The co-chairs' report producer as an app-wide service (progress.producer.ts): one pool of report threads for every
// route that shows the report, the API's and a read-only link's, so that neither computes a large plan's report on
// the event loop and both wait in the same queue. Its threads end when the app closes.
import fp from 'fastify-plugin';
import { reportProducer, type ReportProducer, type ReportProducerStats } from './progress.producer.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Computes the co-chairs' report, in the route's thread or a report thread by its size. */
    reports: ReportProducer;
    /** Where the co-chairs' reports were computed since start: in the route's thread, whole or in parts (tests read it). */
    reportStats: ReportProducerStats;
  }
}

export interface ReportPluginOptions {
  /** Reports covering at least this many tasks go to a report thread. */
  workerMinTasks: number;
  /** JSON reports covering at least this many tasks are computed in parts, one per report thread. */
  partsMinTasks: number;
}

export default fp<ReportPluginOptions>(
  async (app, { workerMinTasks, partsMinTasks }) => {
    const producer = reportProducer({
      db: app.db,
      clock: app.clock,
      databasePath: app.sqlite.memory ? null : app.sqlite.name,
      workerMinTasks,
      partsMinTasks,
      log: (err) => app.log.error({ err }, 'the report worker failed'),
    });
    app.decorate('reports', producer);
    app.decorate('reportStats', producer.stats);
    // After the last request is answered: the reports under way finish first (close waits for them).
    app.addHook('onClose', () => producer.close());
  },
  { name: 'reports', dependencies: ['db'] },
);
