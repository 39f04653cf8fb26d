//! Metrics core: metric model, recorder, timers and trackers (issue #3).
