/** @playgap/edgegap — being built. */
export {};
