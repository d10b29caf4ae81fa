import type { Activation } from './activation.js';
import { type ActorContext, DeferredReply, type Message, type OutgoingMessage } from './actor-types.js';

/**
 * The context a turn sees. Created per turn (short-lived, collected young) instead of held per activation: an idle
 * actor then costs only its Activation. Methods live on the prototype.
 */
export class TurnContext implements ActorContext<unknown, Message> {
  constructor(private readonly a: Activation) {}
  get kind() {
    return this.a.kind;
  }
  get id() {
    return this.a.id;
  }
  get epoch() {
    return this.a.epoch;
  }
  get log() {
    return this.a.log;
  }
  get state() {
    return this.a.getState();
  }
  setState(s: unknown) {
    this.a.setState(s);
  }
  tell(kind: string, id: string, msg: OutgoingMessage) {
    this.a.host.tell(kind, id, msg);
  }
  ask<R>(kind: string, id: string, msg: OutgoingMessage, timeoutMs?: number) {
    return this.a.host.ask<R>(kind, id, msg, timeoutMs);
  }
  deliver(kind: string, id: string, msg: OutgoingMessage, timeoutMs?: number) {
    return this.a.host.deliver(kind, id, msg, timeoutMs);
  }
  replyLater<T>(work: Promise<T>) {
    return new DeferredReply(work);
  }
  pipeToSelf<T>(work: Promise<T>, toMessage: (o: { ok: true; value: T } | { ok: false; error: Error }) => Message) {
    this.a.pipeToSelf(work, toMessage);
  }
  setTimer(name: string, delayMs: number, msg: Message) {
    this.a.setTimer(name, delayMs, msg);
  }
  cancelTimer(name: string) {
    this.a.cancelTimer(name);
  }
  setReminder(name: string, dueAt: number, msg: Message) {
    return this.a.host.setReminder(this.a.shard, { kind: this.a.kind, id: this.a.id }, name, dueAt, msg);
  }
  cancelReminder(name: string) {
    return this.a.host.cancelReminder(this.a.shard, { kind: this.a.kind, id: this.a.id }, name);
  }
  resetChild(kind: string, id: string) {
    this.a.host.tell(kind, id, { type: '$Reset' });
  }
  passivate() {
    this.a.requestPassivation();
  }
  get volatile() {
    this.a.volatileStore ??= {};
    return this.a.volatileStore;
  }
  now() {
    return this.a.host.now();
  }
}
