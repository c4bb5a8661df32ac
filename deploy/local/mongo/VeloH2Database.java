// mongo-java-server's H2 MVStore database, with FirstKeyIndex for non-unique indexes (the library
// ignores those: AbstractMongoDatabase.openOrCreateSecondaryIndex returns an EmptyIndex).
//
// FirstKeyIndex lives in memory only. At start, H2Database reopens every index described in the
// store's system.indexes collection, and the collection fills each empty index from its documents
// (AbstractMongoCollection.addIndex): so the secondary indexes are rebuilt from the data.

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ObjectDataType;

final class VeloH2Database extends H2Database {

    VeloH2Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
        super(databaseName, mvStore, cursorRegistry);
    }

    // Called by H2Database's constructor too (when reopening the store's indexes), before this
    // class's fields would be set: so it uses none.
    @Override
    protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName,
                                                       List<IndexKey> keys, boolean sparse) {
        if (!FirstKeyIndex.canServe(collectionName, keys)) {
            return super.openOrCreateSecondaryIndex(collectionName, indexName, keys, sparse);
        }
        // Positions are the documents' _id, the keys of the collection's MVMap; a full scan reads
        // them in the order of that map's key type, ObjectDataType (MVStore.openMap's default).
        ObjectDataType mapKeyOrder = new ObjectDataType();
        return new FirstKeyIndex<>(indexName, keys, sparse, resolveCollection(collectionName, true),
            mapKeyOrder::compare);
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
    protected void dropIndex(MongoCollection<Object> collection, String indexName) {
        synchronized (collection) {
            super.dropIndex(collection, indexName);
        }
    }
}
