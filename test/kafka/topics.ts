import type kafkajs from 'kafkajs'

/** createTopics, retried: on a fresh broker kafkajs' waitForLeaders can fail before leaders exist. */
export async function createTopics(admin: kafkajs.Admin, topics: Array<{ topic: string; numPartitions?: number }>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.createTopics({ topics, waitForLeaders: true })
      const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) })
      if (meta.topics.every((t) => t.partitions.every((p) => p.leader >= 0))) return
    } catch (error) {
      if (attempt >= 10) throw error
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}
