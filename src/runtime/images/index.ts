/**
 * The runtime's images: references, registry pulls, the layer cache and assembled root
 * filesystems, and the image config a container starts from.
 */
export type { BasicCredentials, CredentialSource } from './auth.js';
export { ImagePullError, InvalidReferenceError, type PullFailure } from './errors.js';
export {
  containerProcess,
  parseImageConfig,
  DEFAULT_PATH,
  type ContainerConfig,
  type ContainerProcess,
  type ImageConfig,
  type ProcessOverrides,
} from './image-config.js';
export {
  ImageStore,
  type ImageStoreOptions,
  type PullOptions,
  type PullProgress,
  type PulledImage,
} from './image-store.js';
export type { Platform } from './manifest.js';
export { parseImageReference, type ImageReference } from './reference.js';
