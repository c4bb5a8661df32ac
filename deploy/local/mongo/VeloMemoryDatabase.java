// mongo-java-server's in-memory database, with FirstKeyIndex for non-unique indexes (the library
// ignores those: AbstractMongoDatabase.openOrCreateSecondaryIndex returns an EmptyIndex).

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import java.util.Comparator;
import java.util.List;

final class VeloMemoryDatabase extends MemoryDatabase {

    VeloMemoryDatabase(String databaseName, CursorRegistry cursorRegistry) {
        super(databaseName, cursorRegistry);
    }

    @Override
    protected Index<Integer> openOrCreateSecondaryIndex(String collectionName, String indexName,
                                                        List<IndexKey> keys, boolean sparse) {
        if (!FirstKeyIndex.canServe(collectionName, keys)) {
            return super.openOrCreateSecondaryIndex(collectionName, indexName, keys, sparse);
        }
        // Positions are slots in the collection's list: a full scan reads them in ascending order.
        return new FirstKeyIndex<>(indexName, keys, sparse, resolveCollection(collectionName, true),
            Comparator.naturalOrder());
    }

    /**
     * The library builds a new index from the collection's documents without taking the
     * collection's lock: a document inserted meanwhile would be missing from the index for good.
     * Lock order database, then collection, as when a collection is created.
     */
    @Override
    protected synchronized void addIndex(Document indexDescription) {
        String namespace = indexDescription.get("ns").toString();
        String collectionName = namespace.substring(getDatabaseName().length() + 1);
        synchronized (resolveOrCreateCollection(collectionName)) {
            super.addIndex(indexDescription);
        }
    }

    /** Dropping changes the collection's list of indexes, which queries read under its lock. */
    @Override
    protected void dropIndex(MongoCollection<Integer> collection, String indexName) {
        synchronized (collection) {
            super.dropIndex(collection, indexName);
        }
    }
}
