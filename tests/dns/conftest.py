from tests.support.bind import bind, bind_rw, closed_port, silent_port

__all__ = ["bind", "bind_rw", "closed_port", "silent_port"]
