"""Development tools, not part of the running product: the Bot API emulator, the built-in
demo and its scripted cast, a throwaway BIND 9 starter and letter samples. `python -m bot demo`
and the tests use them; the bot itself never imports them at run time except for `demo`."""
