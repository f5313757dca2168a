/** @playgap/server — being built. */
export {};
