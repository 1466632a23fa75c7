from tests.support.bind import bind_rw

__all__ = ["bind_rw"]
