/** @playgap/cli — being built. */
export {};
