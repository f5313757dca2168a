/** @playgap/client — being built. */
export {};
