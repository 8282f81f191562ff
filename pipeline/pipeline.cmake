# Owner: agent. The threaded pipeline: inputs, chunk reader, queues, ordered
# stage, writer and sinks, tailer and checkpoint offsets. Knows nothing of the
# parser or the detector: agent/ plugs them in as ChunkWorker / OrderedStage.
file(GLOB EXFILTER_PIPELINE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cc)
add_library(exfilter_pipeline STATIC ${EXFILTER_PIPELINE_SOURCES})
target_include_directories(exfilter_pipeline PUBLIC ${CONCURRENTQUEUE_INCLUDE_DIR})
target_link_libraries(exfilter_pipeline PUBLIC exfilter_util simdjson::simdjson absl::status absl::statusor
                      absl::strings absl::str_format absl::time absl::synchronization absl::flat_hash_map zstd::libzstd_shared
                      Threads::Threads)
# GCC warns that TSan does not model moodycamel's atomic_thread_fence; the
# suppressions file (tests/tsan.supp) covers moodycamel:: instead.
if(EXFILTER_SANITIZE MATCHES "thread")
  target_compile_options(exfilter_pipeline PUBLIC $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
endif()
