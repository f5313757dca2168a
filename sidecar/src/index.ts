/** @playgap/sidecar — being built. */
export {};
