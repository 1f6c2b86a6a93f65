"""`nasdsl dashboard`: a local, read-only web view of experiments, live while they run.

`catalog` finds the journals in the given folders, `views` reads and analyses each once per
version of its file, `app` is the Starlette application, `server` binds and serves it with
uvicorn. It reads journals as reports do (never taking the writer's lock) and writes
nothing.
"""
