/** @playgap/matchmaker — being built. */
export {};
