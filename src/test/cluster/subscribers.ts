import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Acknowledged } from './load';

/**
 * Live subscribers held through the balancer while the load runs, as an app's clients hold them: graphql-ws
 * (the client Apollo Client, urql and Relay use) reconnecting by itself when its socket closes, and
 * subscribing again when a subscription ends with an error (EVENTS_MISSED: refetch and resubscribe).
 */

const PUBLISHED = 'subscription { postPublished { title } }';

/**
 * One uninterrupted stretch of a subscription: from its Subscribe message to the socket's close or the
 * subscription's error (or, for the last one, the end of the test).
 */
export interface Run {
  startedAt: number;
  /** When its first event arrived: the server had it registered by then, so every later commit reaches it. */
  firstAt?: number;
  endedAt?: number;
  /** How it ended: `closed <code>`, `error <code>`, `complete`; undefined while it goes on. */
  end?: string;
  titles: string[];
  /** When each of `titles` arrived. */
  arrivals: number[];
}

export interface Subscriber {
  runs: Run[];
  /** Sockets the client opened again after one closed. */
  reconnects: number;
  /** Codes of events that came with errors instead of their post. */
  payloadErrors: string[];
  stop(): Promise<void>;
}

/** Subscribes to postPublished through `url` (…/graphql behind the balancer). */
export function holdSubscriber(url: string): Subscriber {
  let stopped = false;
  let socketClosed = false;
  const subscriber: Subscriber = { runs: [], reconnects: 0, payloadErrors: [], stop: async () => undefined };
  const current = () => subscriber.runs.at(-1);
  const endRun = (how: string) => {
    const run = current();
    if (run && run.end === undefined) Object.assign(run, { end: how, endedAt: Date.now() });
  };
  const client: Client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: true,
    // Kept open a moment after a subscription ends, for the one that replaces it.
    lazyCloseTimeout: 1_000,
    retryAttempts: 20,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200)),
    // A socket that stops answering (its instance gone without a close) is found out by the client's pings.
    keepAlive: 2_000,
    on: {
      closed: (event) => {
        if (stopped) return;
        socketClosed = true;
        endRun(`closed ${(event as { code?: number }).code ?? ''}`.trim());
      },
      connected: () => {
        if (stopped || !socketClosed) return;
        socketClosed = false;
        subscriber.reconnects += 1;
        // graphql-ws sends the subscription again on the new socket, right after this.
        if (current()?.end !== undefined) subscriber.runs.push({ startedAt: Date.now(), titles: [], arrivals: [] });
      },
    },
  });
  let unsubscribe = () => {};
  const subscribe = () => {
    subscriber.runs.push({ startedAt: Date.now(), titles: [], arrivals: [] });
    unsubscribe = client.subscribe<{ postPublished: { title: string } }>(
      { query: PUBLISHED },
      {
        next: (result) => {
          const run = current()!;
          // An event whose payload could not be read: the subscription goes on.
          if (result.errors) return void subscriber.payloadErrors.push(JSON.stringify(result.errors[0]));
          run.firstAt ??= Date.now();
          run.titles.push(result.data!.postPublished.title);
          run.arrivals.push(Date.now());
        },
        error: (error: unknown) => {
          const code = Array.isArray(error) ? (error[0] as { extensions?: { code?: string } })?.extensions?.code : (error as { code?: number })?.code;
          endRun(`error ${code ?? String(error)}`);
          if (!stopped) setTimeout(subscribe, 100);
        },
        complete: () => {
          endRun('complete');
          if (!stopped) setTimeout(subscribe, 100);
        },
      },
    );
  };
  subscribe();
  subscriber.stop = async () => {
    stopped = true;
    unsubscribe();
    await client.dispose();
  };
  return subscriber;
}

/** What the subscribers got, against the posts whose creation was acknowledged. */
export interface DeliveryCheck {
  /** Acknowledged posts a run that lasted to the end should have got after its first event, and did not. */
  missedByUninterrupted: string[];
  /** Posts a subscriber got twice within one run. */
  repeatedInRun: string[];
  /** Posts a subscriber got again after resubscribing (a commit fanned out after it subscribed anew). */
  repeatedAcrossRuns: number;
  /** Runs that lasted to the end without an event after they started (silence). */
  silentLastRuns: number;
  /** Acknowledged posts (sent after the subscriber's first event) that an interrupted subscriber never got: the gap. */
  gapByInterruptedSubscriber: number[];
}

export function checkDeliveries(subscribers: readonly Subscriber[], acknowledged: readonly Acknowledged[]): DeliveryCheck {
  const check: DeliveryCheck = { missedByUninterrupted: [], repeatedInRun: [], repeatedAcrossRuns: 0, silentLastRuns: 0, gapByInterruptedSubscriber: [] };
  for (const subscriber of subscribers) {
    const last = subscriber.runs.at(-1)!;
    if (last.firstAt === undefined) check.silentLastRuns += 1;
    else {
      const got = new Set(last.titles);
      check.missedByUninterrupted.push(...acknowledged.filter((post) => post.startedAt > last.firstAt! && !got.has(post.title)).map((post) => post.title));
    }
    const everGot = new Set<string>();
    for (const run of subscriber.runs) {
      const inRun = new Set<string>();
      for (const title of run.titles) {
        if (inRun.has(title)) check.repeatedInRun.push(title);
        else if (everGot.has(title)) check.repeatedAcrossRuns += 1;
        inRun.add(title);
        everGot.add(title);
      }
    }
    const firstAt = subscriber.runs.find((run) => run.firstAt !== undefined)?.firstAt;
    if (subscriber.runs.length > 1 && firstAt !== undefined) {
      check.gapByInterruptedSubscriber.push(acknowledged.filter((post) => post.startedAt > firstAt && !everGot.has(post.title)).length);
    }
  }
  return check;
}

/** Milliseconds from a post's acknowledgement to its arrival at a subscriber (negative: it arrived first), by percentile. */
function arrivalDelays(runs: readonly Run[], acknowledged: readonly Acknowledged[]) {
  const answeredAt = new Map(acknowledged.map((post) => [post.title, post.endedAt]));
  const delays = runs
    .flatMap((run) => run.titles.map((title, i) => run.arrivals[i]! - (answeredAt.get(title) ?? Number.NaN)))
    .filter((delay) => !Number.isNaN(delay))
    .sort((a, b) => a - b);
  const at = (share: number) => delays[Math.min(delays.length - 1, Math.floor(share * delays.length))];
  return { p50: at(0.5), p95: at(0.95), max: delays.at(-1) };
}

/** Figures for the test's report. */
export function subscriberFigures(subscribers: readonly Subscriber[], acknowledged: readonly Acknowledged[]) {
  const runs = subscribers.flatMap((subscriber) => subscriber.runs);
  const ends: Record<string, number> = {};
  for (const run of runs) if (run.end) ends[run.end] = (ends[run.end] ?? 0) + 1;
  return {
    subscribers: subscribers.length,
    eventsDelivered: runs.reduce((sum, run) => sum + run.titles.length, 0),
    reconnects: subscribers.reduce((sum, subscriber) => sum + subscriber.reconnects, 0),
    payloadErrors: subscribers.flatMap((subscriber) => subscriber.payloadErrors),
    interruptedSubscribers: subscribers.filter((subscriber) => subscriber.runs.length > 1).length,
    runsEndedBy: ends,
    msFromAcknowledgementToArrival: arrivalDelays(runs, acknowledged),
  };
}
