// Composition root: builds every dependency once from the config, so routes, workers
// and tests all get the same wiring.
import type { ChannelName, ChannelSender } from '../channels/channel.ts';
import { WhatsAppSender } from '../channels/whatsapp/index.ts';
import { translator } from '../i18n/i18n.ts';
import { TwilioSender } from '../channels/sms/index.ts';
import { WebchatSender } from '../channels/webchat/webchatSender.ts';
import type { Config } from '../config/env.ts';
import { createDb, type Db } from '../db/client.ts';
import { createLocks } from '../db/locks.ts';
import { createPackHolder, type PackHolder } from '../packs/packHolder.ts';
import { followPackReloads } from '../packs/reloadPack.ts';
import { DEFAULT_PACK_DIR, trainingExamples, type Pack } from '../packs/loadPack.ts';
import { createClassifier } from '../understanding/classifier.ts';
import { LanguageDetector } from '../i18n/detectLanguage.ts';
import { languageSamples } from '../i18n/languageSamples.ts';
import { createDispatcher } from '../queues/dispatcher.ts';
import { messageView } from '../conversations/messageView.ts';
import { createInboundWriter } from '../conversations/ingestInbound.ts';
import { producerConnection, workerConnection } from '../queues/connection.ts';
import { createProducer } from '../queues/producer.ts';
import { createEventBus } from '../realtime/eventBus.ts';
import { createOpenStreams } from '../realtime/openStreams.ts';
import type { Logger } from '../shared/logger.ts';
import { startInboundWorker, turnsInFlight } from '../workers/inboundWorker.ts';
import { createSlots } from '../shared/slots.ts';
import { boundedSet } from '../shared/boundedCache.ts';
import { createReplyDelivery } from '../turn/deliverReplies.ts';
import { startOutboundWorker } from '../workers/outboundWorker.ts';
import { startOutboxSweeper } from '../workers/outboxSweeper.ts';
import { startEscalationWorker } from '../workers/escalationWorker.ts';
import { startMediaWorker } from '../workers/mediaWorker.ts';
import { LocalDiskStore, type MediaStore } from '../media/store.ts';
import { S3Store } from '../media/s3Store.ts';
import { join } from 'node:path';
import { agentEvents } from '../escalation/agentEvents.ts';
import type { EscalationDeps } from '../escalation/deps.ts';
import { observeJobs } from '../workers/jobMetrics.ts';
import { registerScrapeGauges } from '../observability/metrics.ts';
import { QueueName } from '../queues/names.ts';
import { within } from './shutdown.ts';

/** Messages a worker remembers answering, so that their own turn jobs are skipped (20,000 ids: ~2 MB of heap, measured). */
const ANSWERED_REMEMBERED = 20_000;

export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

/** `pack`: an already loaded pack (tests swap bots in); otherwise BATON_PACK or the demo pack is loaded. */
export type RuntimeOptions = { pack?: Pack; /** The environment the pack reads (its declared env vars); process.env unless given. */ packEnv?: Record<string, string | undefined> };

export async function createRuntime(config: Config, urls: { databaseUrl: string; redisUrl: string }, log: Logger, options: RuntimeOptions = {}) {
  // Connections are the scarce thing on a small PostgreSQL: every process brings two
  // pools, so they stay small. A turn holds one lock connection and uses the other pool.
  const db: Db = createDb(urls.databaseUrl, Math.min(40, config.workerConcurrency + 8));
  const locks = createLocks(urls.databaseUrl, Math.min(40, config.workerConcurrency + 2));
  const producerRedis = producerConnection(urls.redisUrl);
  producerRedis.on('error', (err) => log.debug({ err }, 'producer redis'));
  const producer = createProducer(producerRedis, config.queuePrefix, {
    attempts: config.outboundAttempts,
    backoffMs: config.outboundBackoffMs,
  });
  const dispatcher = createDispatcher(db, producer, log, { replyMs: config.sla.replyMs });
  const inboundWriter = createInboundWriter(db, dispatcher);
  const bus = createEventBus(urls.redisUrl, config.queuePrefix, log);
  const packs: PackHolder = await createPackHolder(
    config.packDir ?? DEFAULT_PACK_DIR,
    { env: options.packEnv ?? process.env, log, llm: config.llm, databaseUrl: urls.databaseUrl },
    options.pack,
  );
  const whatsapp = new WhatsAppSender({
      apiBase: config.whatsapp.apiBase,
      phoneNumberId: config.whatsapp.phoneNumberId,
      accessToken: config.whatsapp.accessToken,
      timeoutMs: config.providerTimeoutMs,
    listButton: (locale) => translator(locale ?? config.defaultLocale)('choices.button'),
  });
  const senders: Record<ChannelName, ChannelSender> = {
    whatsapp,
    sms: new TwilioSender({
      apiBase: config.twilio.apiBase,
      accountSid: config.twilio.accountSid,
      authToken: config.twilio.authTokens[0]!,
      from: config.twilio.fromNumber,
      messagingServiceSid: config.twilio.messagingServiceSid,
      statusCallbackUrl: `${config.publicBaseUrl}/webhooks/sms/status`,
      timeoutMs: config.providerTimeoutMs,
    }),
    webchat: new WebchatSender(bus, async (id) => messageView(await db.message.findUniqueOrThrow({ where: { id } }))),
  };

  const events = agentEvents(bus);
  const mediaStore: MediaStore = config.mediaS3
    ? new S3Store({ ...config.mediaS3, timeoutMs: config.providerTimeoutMs })
    : new LocalDiskStore(join(config.dataDir, 'media'));
  const stopFollowingReloads = followPackReloads({ packs, bus, log });
  registerScrapeGauges({
    queueCounts: async () =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(producer.queues).map(async ([name, queue]) => [name, await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')] as const),
        ),
      ),
    waitingEscalations: () => db.conversation.count({ where: { status: 'waiting' } }),
  }, config.metricsCacheMs);
  const escalation: EscalationDeps = {
    db,
    locks,
    log,
    dispatcher,
    producer,
    events,
    sla: config.sla,
    get bots() {
      return packs.current().bots;
    },
    get packVersion() {
      return packs.current().version;
    },
  };
  /** Each closer gets how long it may wait for work in flight before it must give up on it. */
  const closers: Array<(graceMs: number) => Promise<unknown>> = [];

  return {
    config,
    log,
    db,
    locks,
    producer,
    producerRedis,
    dispatcher,
    inboundWriter,
    bus,
    events,
    escalation,
    packs,
    senders,
    mediaStore,
    redisUrl: urls.redisUrl,
    /** Live streams (SSE) this process holds; shutdown ends them. */
    streams: createOpenStreams(config.streamLimits),
    /** `draining` is set when shutdown begins: /readyz answers 503 from then on. */
    lifecycle: { draining: false },

    /** Starts the queue workers and the outbox sweep in this process. */
    async startWorkers() {
      // Only workers understand messages: API-only processes never load the models.
      // The classifier learns Baton's runtime intents and the pack's own; a reload trains
      // the new pack's before it takes over.
      const understandingOf = async (pack: Pack) => {
        const classifier = createClassifier(config, log, trainingExamples(pack));
        await classifier.warmUp();
        return { classifier, detector: new LanguageDetector(languageSamples({ examples: pack.examples, catalogs: pack.catalogs })) };
      };
      let understanding = await understandingOf(packs.current());
      packs.onSwap(async (next) => {
        understanding = await understandingOf(next);
      });
      const concurrency = config.workerConcurrency;
      const inboundConn = workerConnection(urls.redisUrl);
      const outboundConn = workerConnection(urls.redisUrl);
      const escalationConn = workerConnection(urls.redisUrl);
      const mediaConn = workerConnection(urls.redisUrl);
      for (const c of [inboundConn, outboundConn, escalationConn, mediaConn]) c.on('error', (err) => log.debug({ err }, 'worker redis'));
      const replies = createReplyDelivery({ db, senders, log, dispatcher, providerTimeoutMs: config.providerTimeoutMs, outboundAttempts: config.outboundAttempts });
      const turnDeps = {
        db,
        locks,
        dispatcher,
        log,
        events,
        replies,
        answered: boundedSet(ANSWERED_REMEMBERED),
        slots: createSlots(concurrency),
        markRead: (providerMessageId: string) => whatsapp.markRead(providerMessageId),
        get pack() {
          return packs.current();
        },
        get bots() {
          return packs.current().bots;
        },
        get packVersion() {
          return packs.current().version;
        },
        get classifier() {
          return understanding.classifier;
        },
        get detector() {
          return understanding.detector;
        },
      };
      const inbound = startInboundWorker(turnDeps, inboundConn, config.queuePrefix, turnsInFlight(concurrency, packs.current()));
      packs.onSwap(async (next) => {
        inbound.concurrency = turnsInFlight(concurrency, next);
      });
      const outbound = startOutboundWorker({ db, senders, log }, outboundConn, {
        prefix: config.queuePrefix,
        concurrency,
        backoffMs: config.outboundBackoffMs,
        attempts: config.outboundAttempts,
      });
      const escalationWorker = startEscalationWorker(escalation, escalationConn, config.queuePrefix, Math.max(2, Math.floor(concurrency / 4)));
      const mediaWorker = startMediaWorker(
        {
          db,
          log,
          store: mediaStore,
          download: {
            whatsapp: { apiBase: config.whatsapp.apiBase, accessToken: config.whatsapp.accessToken },
            twilio: { accountSid: config.twilio.accountSid, authToken: config.twilio.authTokens[0]! },
            timeoutMs: config.providerTimeoutMs,
          },
        },
        mediaConn,
        config.queuePrefix,
        Math.max(2, Math.floor(concurrency / 4)),
      );
      observeJobs(inbound, QueueName.Inbound);
      observeJobs(outbound, QueueName.Outbound);
      observeJobs(escalationWorker, QueueName.Escalation);
      observeJobs(mediaWorker, QueueName.Media);
      const sweeper = startOutboxSweeper(
        { dispatcher, db, locks, producer, log },
        { intervalMs: config.outboxSweepMs, staleSendMs: config.staleSendMs, stuckHandoffMs: config.stuckHandoffMs, webchatSessionTtlMs: config.webchatSessionTtlMs },
      );
      closers.push(async (graceMs) => {
        sweeper.stop();
        const workers = [inbound, outbound, escalationWorker, mediaWorker];
        // close() stops taking jobs and waits for the running ones; out of time, close(true)
        // lets go of them: their locks lapse and BullMQ hands them to another worker.
        const finished = await within(Promise.all(workers.map((w) => w.close())), graceMs);
        if (!finished) {
          log.warn({ graceMs }, 'jobs still running at the shutdown deadline; handing them back to the queue');
          await within(Promise.all(workers.map((w) => w.close(true))), 1000);
        }
        // Replies still going out from here; past the deadline their outbox rows are the net.
        if (!(await within(replies.drain(), graceMs))) log.warn('replies still being sent at the shutdown deadline; the outbox sweep takes them');
        for (const c of [inboundConn, outboundConn, escalationConn, mediaConn]) c.disconnect();
      });
      return { inbound, outbound, escalation: escalationWorker };
    },

    /** Stops the workers (waiting up to `graceMs` for running jobs) and closes every connection and pool. */
    async close(options: { graceMs?: number } = {}) {
      const graceMs = options.graceMs ?? Number.POSITIVE_INFINITY;
      for (const close of closers.reverse()) await close(graceMs).catch((err) => log.warn({ err }, 'close failed'));
      await producer.close().catch(() => {});
      producerRedis.disconnect();
      await bus.close();
      await locks.close().catch(() => {});
      await db.$disconnect();
      stopFollowingReloads();
      await packs.close();
    },
  };
}
