// The actor runtime's public surface. It knows nothing about certificates or Kubernetes.
export { ActorClient } from './actor-client.js';
export { ActorSystem, DEFAULT_LEASE, type ActorSystemOptions, type RuntimeMetrics } from './actor-system.js';
export { ActorError, type ActorContext, type ActorDefinition, type ActorRef, type ChildFailed, type Message, type OutgoingMessage, type Reply } from './actor-types.js';
export { connectNats, type NatsSettings } from './nats-connection.js';
export { createLogger } from './logger.js';
export { systemClock, type Clock } from './clock.js';
export { encode, decode } from './codec.js';
export type { AdminRequest, AdminReply, ActorsAnswer, ActorFilter, PodView, ActorView } from './admin.js';
