// The actor runtime's public surface. It knows nothing about certificates or Kubernetes.
export { ActorClient } from './actor-client.js';
export { ActorSystem, type ActorSystemOptions, DEFAULT_LEASE, type RuntimeMetrics } from './actor-system.js';
export {
  type ActorContext,
  type ActorDefinition,
  ActorError,
  type ActorRef,
  type ChildFailed,
  type Message,
  type OutgoingMessage,
  type Reply,
} from './actor-types.js';
export type { ActorFilter, ActorsAnswer, ActorView, AdminReply, AdminRequest, PodView } from './admin.js';
export { type Clock, systemClock } from './clock.js';
export { decode, encode } from './codec.js';
export { createLogger } from './logger.js';
export { connectNats, type NatsSettings } from './nats-connection.js';
