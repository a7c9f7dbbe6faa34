"""Subscriptions: who may open a WebSocket, and the fan-out of each change to its
subscribers."""
