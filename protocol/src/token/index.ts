/** @playgap/protocol/token — netcode.io 1.02 connect tokens (being written; see issue 2). */
export {};
