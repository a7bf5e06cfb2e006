"""A TCP relay that can go silent: the way a NAT box or a dying Wi-Fi loses a link without a FIN.

While frozen, bytes on existing connections are swallowed and nothing is closed, so neither
side learns that the link is gone; only keepalive and the watchdog can notice.
"""

from __future__ import annotations

import selectors
import socket
import threading


class FreezableRelay:
    """Forwards 127.0.0.1:<port> to a target; ``freeze()`` blackholes the current connections."""

    def __init__(self, target_port: int) -> None:
        self._target = ("127.0.0.1", target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._frozen: set[socket.socket] = set()
        self._pairs: dict[socket.socket, socket.socket] = {}
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._listener, selectors.EVENT_READ)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-relay", daemon=True)
        self._thread.start()
        self.accepted = 0

    def freeze(self) -> None:
        """From now on, drop every byte of the connections open right now (without closing them)."""
        with self._lock:
            self._frozen |= set(self._pairs)

    def close(self) -> None:
        """Stop relaying and close everything."""
        self._stop.set()
        self._thread.join(5)
        for s in [self._listener, *self._pairs]:
            s.close()
        self._sel.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._sel.select(timeout=0.1):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if sock is self._listener:
                    self._accept()
                else:
                    self._forward(sock)

    def _accept(self) -> None:
        client, _ = self._listener.accept()
        try:
            upstream = socket.create_connection(self._target, timeout=5)
        except OSError:
            client.close()
            return
        self.accepted += 1
        with self._lock:
            self._pairs[client] = upstream
            self._pairs[upstream] = client
        self._sel.register(client, selectors.EVENT_READ)
        self._sel.register(upstream, selectors.EVENT_READ)

    def _forward(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(65536)
        except OSError:
            data = b""
        with self._lock:
            peer = self._pairs.get(sock)
            frozen = sock in self._frozen
        if peer is None:
            return
        if not data:
            self._drop(sock, peer)
            return
        if not frozen:
            try:
                peer.sendall(data)
            except OSError:
                self._drop(sock, peer)

    def _drop(self, a: socket.socket, b: socket.socket) -> None:
        with self._lock:
            for s in (a, b):
                self._pairs.pop(s, None)
                self._frozen.discard(s)
        for s in (a, b):
            self._sel.unregister(s)
            s.close()
